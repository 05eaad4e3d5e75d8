// The emulated USB device: a umockdev testbed plus a usbfs ioctl handler.
//
// How libusb (Linux backend) talks to a device, and what this file answers:
// - enumeration reads sysfs (busnum, devnum, speed, bConfigurationValue, descriptors):
//   the testbed's device entry;
// - open() of /dev/bus/usb/BBB/DDD: umockdev connects the descriptor to the handler below;
// - ioctls: GET_CAPABILITIES, GETDRIVER, CLAIMINTERFACE / DISCONNECT_CLAIM,
//   RELEASEINTERFACE, SUBMITURB, REAPURBNDELAY, DISCARDURB, CLEAR_HALT, RESET(EP).
//   URBs complete here; libusb learns of it by reaping (EAGAIN while nothing is done).
#define _GNU_SOURCE
#include "USBDeviceEmulator.h"

#include <umockdev.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

// <linux/ioctl.h> before <linux/usbdevice_fs.h>: the latter uses _IOR & co. without
// including it.
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>

#define ENDPOINT_OUT 0x01
#define ENDPOINT_IN 0x81
#define SETUP_SIZE 8

// A URB the handler holds: the copy umockdev made of the client's struct usbdevfs_urb,
// and of its buffer. Both are written back to the client when the URB is reaped.
typedef struct {
    UMockdevIoctlData *urb;
    UMockdevIoctlData *buffer;
} held_urb;

struct usb_emulated_device {
    usb_emulator *emulator;
    usb_emulated_device_description description;
    char *manufacturer;
    char *product;
    char *serial;
    usb_emulator_firmware firmware;
    char *syspath;
    char *devnode;       // /dev/bus/usb/BBB/DDD
    char *node_file;     // the testbed's file for it
    UMockdevIoctlBase *handler;
    gulong handler_signal;

    GMutex lock;         // everything below
    GQueue waiting_in;   // held_urb*: bulk IN URBs waiting for device data
    GQueue waiting_out;  // held_urb*: bulk OUT URBs the device is not taking (NAKing)
    GQueue done;         // held_urb*: completed, waiting to be reaped
    bool unplugged;
    bool claimed_elsewhere;
    bool out_naks;
    usb_emulated_device_counters counters;
};

struct usb_emulator {
    UMockdevTestbed *testbed;
    gchar *root;
    GPtrArray *devices;  // usb_emulated_device*
};

static void fill_error(char *error, size_t capacity, const char *format, const char *detail) {
    if (error && capacity > 0) snprintf(error, capacity, format, detail ? detail : "");
}

bool usb_emulator_preload_active(void) {
    // umockdev_in_mock_environment() only turns true once a testbed exists; what matters
    // before that is whether the preload library is mapped into this process.
    void *preload = dlopen("libumockdev-preload.so.0", RTLD_NOW | RTLD_NOLOAD);
    if (!preload) return false;
    dlclose(preload);
    return true;
}

usb_emulator *usb_emulator_new(char *error, size_t error_capacity) {
    if (!usb_emulator_preload_active()) {
        fill_error(error, error_capacity, "%s", "not running under umockdev-wrapper (libumockdev-preload.so is not loaded)");
        return NULL;
    }
    usb_emulator *emulator = g_new0(usb_emulator, 1);
    emulator->testbed = umockdev_testbed_new();
    if (!emulator->testbed) {
        g_free(emulator);
        fill_error(error, error_capacity, "%s", "umockdev_testbed_new failed");
        return NULL;
    }
    emulator->root = umockdev_testbed_get_root_dir(emulator->testbed);
    emulator->devices = g_ptr_array_new();
    return emulator;
}

const char *usb_emulator_root(const usb_emulator *emulator) {
    return emulator ? emulator->root : NULL;
}

static void held_urb_free(held_urb *held) {
    if (!held) return;
    if (held->buffer) umockdev_ioctl_data_unref(held->buffer);
    if (held->urb) umockdev_ioctl_data_unref(held->urb);
    g_free(held);
}

static void device_free(usb_emulated_device *device) {
    if (device->handler) {
        if (device->handler_signal) g_signal_handler_disconnect(device->handler, device->handler_signal);
        g_object_unref(device->handler);
    }
    g_queue_clear_full(&device->waiting_in, (GDestroyNotify)held_urb_free);
    g_queue_clear_full(&device->done, (GDestroyNotify)held_urb_free);
    g_queue_clear_full(&device->waiting_out, (GDestroyNotify)held_urb_free);
    g_mutex_clear(&device->lock);
    g_free(device->manufacturer);
    g_free(device->product);
    g_free(device->serial);
    g_free(device->syspath);
    g_free(device->devnode);
    g_free(device->node_file);
    g_free(device);
}

void usb_emulator_free(usb_emulator *emulator) {
    if (!emulator) return;
    // The testbed first: it stops the ioctl threads that may still call the handlers.
    g_clear_object(&emulator->testbed);
    for (guint i = 0; i < emulator->devices->len; i++) device_free(g_ptr_array_index(emulator->devices, i));
    g_ptr_array_free(emulator->devices, TRUE);
    g_free(emulator->root);
    g_free(emulator);
}

// MARK: - Descriptors

static size_t device_descriptor(const usb_emulated_device *device, uint8_t out[18]) {
    const usb_emulated_device_description *d = &device->description;
    const uint8_t bytes[18] = {
        18, 0x01,                     // bLength, DEVICE
        0x00, 0x02,                   // bcdUSB 2.00
        0x00, 0x00, 0x00,             // class per interface
        64,                           // bMaxPacketSize0
        (uint8_t)(d->vendor_id & 0xFF), (uint8_t)(d->vendor_id >> 8),
        (uint8_t)(d->product_id & 0xFF), (uint8_t)(d->product_id >> 8),
        0x00, 0x01,                   // bcdDevice 1.00
        (uint8_t)(device->manufacturer ? 1 : 0),
        (uint8_t)(device->product ? 2 : 0),
        (uint8_t)(device->serial ? 3 : 0),
        1,                            // bNumConfigurations
    };
    memcpy(out, bytes, sizeof bytes);
    return sizeof bytes;
}

static size_t configuration_descriptor(const usb_emulated_device *device, uint8_t out[32]) {
    const uint16_t packet = device->description.max_packet_size ? device->description.max_packet_size : 64;
    const uint8_t bytes[32] = {
        9, 0x02, 32, 0,               // CONFIGURATION, wTotalLength 32
        1, 1, 0,                      // one interface, bConfigurationValue 1, no string
        0x80, 50,                     // bus powered, 100 mA
        9, 0x04, 0, 0, 2,             // INTERFACE 0, alt 0, two endpoints
        device->description.interface_class, 0, 0, 0,
        7, 0x05, ENDPOINT_OUT, 0x02, (uint8_t)(packet & 0xFF), (uint8_t)(packet >> 8), 0,
        7, 0x05, ENDPOINT_IN, 0x02, (uint8_t)(packet & 0xFF), (uint8_t)(packet >> 8), 0,
    };
    memcpy(out, bytes, sizeof bytes);
    return sizeof bytes;
}

// A string descriptor: index 0 is the language list (en-US), 1–3 the strings.
static size_t string_descriptor(const usb_emulated_device *device, uint8_t index, uint8_t out[255]) {
    if (index == 0) {
        out[0] = 4; out[1] = 0x03; out[2] = 0x09; out[3] = 0x04;
        return 4;
    }
    const char *text = index == 1 ? device->manufacturer : index == 2 ? device->product
                     : index == 3 ? device->serial : NULL;
    if (!text) return 0;
    size_t length = strlen(text);
    if (length > 126) length = 126;
    out[0] = (uint8_t)(2 + 2 * length);
    out[1] = 0x03;
    for (size_t i = 0; i < length; i++) {      // UTF-16LE of ASCII
        out[2 + 2 * i] = (uint8_t)text[i];
        out[3 + 2 * i] = 0;
    }
    return 2 + 2 * length;
}

static void append_hex(GString *text, const uint8_t *bytes, size_t count) {
    for (size_t i = 0; i < count; i++) g_string_append_printf(text, "%02x", bytes[i]);
}

// MARK: - The ioctl handler (runs on umockdev's thread)

static void complete_held(usb_emulated_device *device, held_urb *held, int status, int actual_length) {
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)held->urb->data;
    urb->status = status;
    urb->actual_length = actual_length;
    g_queue_push_tail(&device->done, held);
}

// Gives waiting IN URBs whatever the firmware has to send now.
static void feed_waiting_in(usb_emulated_device *device) {
    while (!device->unplugged && !g_queue_is_empty(&device->waiting_in)) {
        held_urb *held = g_queue_peek_head(&device->waiting_in);
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *)held->urb->data;
        size_t capacity = urb->buffer_length > 0 ? (size_t)urb->buffer_length : 0;
        size_t count = 0;
        if (capacity > 0 && held->buffer && device->firmware.transmit)
            count = device->firmware.transmit(device->firmware.context, held->buffer->data, capacity);
        if (count == 0) return;
        if (count > capacity) count = capacity;
        g_queue_pop_head(&device->waiting_in);
        device->counters.bulk_in_bytes += count;
        complete_held(device, held, 0, (int)count);
    }
}

static gint handle_control(usb_emulated_device *device, held_urb *held) {
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)held->urb->data;
    if (!held->buffer || urb->buffer_length < SETUP_SIZE) return EINVAL;
    uint8_t *setup = held->buffer->data;
    const uint8_t request_type = setup[0], request = setup[1];
    const uint16_t value = (uint16_t)(setup[2] | setup[3] << 8);
    const uint16_t length = (uint16_t)(setup[6] | setup[7] << 8);
    uint8_t *reply = setup + SETUP_SIZE;
    size_t room = (size_t)urb->buffer_length - SETUP_SIZE;
    if (room > length) room = length;
    device->counters.control_requests++;

    if (request_type == 0x80 && request == 0x06) {          // GET_DESCRIPTOR
        uint8_t descriptor[255];
        size_t size = 0;
        switch (value >> 8) {
        case 0x01: size = device_descriptor(device, descriptor); break;
        case 0x02: size = configuration_descriptor(device, descriptor); break;
        case 0x03: size = string_descriptor(device, (uint8_t)(value & 0xFF), descriptor); break;
        default: break;
        }
        if (size == 0) {
            complete_held(device, held, -EPIPE, 0);         // a stall, as a device answers
            return 0;
        }
        if (size > room) size = room;
        memcpy(reply, descriptor, size);
        complete_held(device, held, 0, (int)size);
        return 0;
    }
    if ((request_type & 0x80) == 0) {                       // host-to-device requests: accept
        complete_held(device, held, 0, 0);
        return 0;
    }
    complete_held(device, held, -EPIPE, 0);
    return 0;
}

static gint submit_urb(usb_emulated_device *device, UMockdevIoctlData *argument) {
    UMockdevIoctlData *urb_data = umockdev_ioctl_data_resolve(argument, 0, sizeof(struct usbdevfs_urb), NULL);
    if (!urb_data) return EFAULT;
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
    held_urb *held = g_new0(held_urb, 1);
    held->urb = urb_data;
    if (urb->buffer_length > 0) {
        held->buffer = umockdev_ioctl_data_resolve(urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                                   (gsize)urb->buffer_length, NULL);
        if (!held->buffer) {
            held_urb_free(held);
            return EFAULT;
        }
    }
    device->counters.urbs_submitted++;

    switch (urb->type) {
    case USBDEVFS_URB_TYPE_CONTROL: {
        gint error = handle_control(device, held);
        if (error) held_urb_free(held);
        return error;
    }
    case USBDEVFS_URB_TYPE_BULK:
        if (urb->endpoint == ENDPOINT_OUT && device->out_naks) {
            g_queue_push_tail(&device->waiting_out, held);   // the device NAKs: never done
            return 0;
        }
        if (urb->endpoint == ENDPOINT_OUT) {
            size_t count = (size_t)urb->buffer_length;
            if (count > 0 && device->firmware.receive)
                device->firmware.receive(device->firmware.context, held->buffer->data, count);
            device->counters.bulk_out_bytes += count;
            complete_held(device, held, 0, (int)count);
            return 0;
        }
        if (urb->endpoint == ENDPOINT_IN) {
            g_queue_push_tail(&device->waiting_in, held);
            return 0;
        }
        held_urb_free(held);
        return EINVAL;                                       // no such endpoint
    default:
        held_urb_free(held);
        return EINVAL;
    }
}

static gint reap_urb(usb_emulated_device *device, UMockdevIoctlData *argument) {
    feed_waiting_in(device);
    held_urb *held = g_queue_pop_head(&device->done);
    if (!held) return device->unplugged ? ENODEV : EAGAIN;
    UMockdevIoctlData *pointer = umockdev_ioctl_data_resolve(argument, 0, sizeof(gpointer), NULL);
    if (!pointer) {
        g_queue_push_head(&device->done, held);
        return EFAULT;
    }
    // Hands the URB (with its buffer) back: written to the client when the call completes.
    umockdev_ioctl_data_set_ptr(pointer, 0, held->urb);
    umockdev_ioctl_data_unref(pointer);
    held_urb_free(held);
    return 0;
}

static gint discard_urb(usb_emulated_device *device, UMockdevIoctlData *argument) {
    // The argument is the URB's address in the client itself, not a pointer to it.
    if (argument->data_len < (gint)sizeof(gulong)) return EINVAL;
    gulong address;
    memcpy(&address, argument->data, sizeof address);
    GQueue *queues[] = { &device->waiting_in, &device->waiting_out };
    for (size_t q = 0; q < G_N_ELEMENTS(queues); q++) {
        for (GList *link = queues[q]->head; link; link = link->next) {
            held_urb *held = link->data;
            if (held->urb->client_addr == address) {
                g_queue_delete_link(queues[q], link);
                complete_held(device, held, -ENOENT, 0);
                return 0;
            }
        }
    }
    return EINVAL;                                           // done already, or unknown
}

static gboolean handle_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer user_data) {
    (void)handler;
    usb_emulated_device *device = user_data;
    const gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *argument = umockdev_ioctl_client_get_arg(client);
    gint error = 0;

    g_mutex_lock(&device->lock);
    if (device->unplugged && request != USBDEVFS_REAPURBNDELAY && request != USBDEVFS_REAPURB
        && request != USBDEVFS_RELEASEINTERFACE && request != USBDEVFS_DISCARDURB) {
        error = ENODEV;
    } else {
        switch (request) {
        case USBDEVFS_GET_CAPABILITIES: {
            UMockdevIoctlData *capabilities = umockdev_ioctl_data_resolve(argument, 0, sizeof(guint32), NULL);
            if (!capabilities) { error = EFAULT; break; }
            *(guint32 *)capabilities->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM
                                           | USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
            umockdev_ioctl_data_unref(capabilities);
            break;
        }
        case USBDEVFS_GETDRIVER:
            error = ENODATA;                                 // no kernel driver bound
            break;
        case USBDEVFS_CLAIMINTERFACE:
        case USBDEVFS_DISCONNECT_CLAIM:
            if (device->claimed_elsewhere) error = EBUSY;
            break;
        case USBDEVFS_RELEASEINTERFACE:
        case USBDEVFS_CLEAR_HALT:
        case USBDEVFS_RESETEP:
        case USBDEVFS_RESET:
            break;
        case USBDEVFS_SUBMITURB:
            error = submit_urb(device, argument);
            break;
        case USBDEVFS_REAPURB:                               // libusb only reaps without delay
        case USBDEVFS_REAPURBNDELAY:
            error = reap_urb(device, argument);
            break;
        case USBDEVFS_DISCARDURB:
            error = discard_urb(device, argument);
            break;
        default:
            device->counters.unhandled_ioctls++;
            device->counters.last_unhandled_request = request;
            error = ENOTTY;
            break;
        }
    }
    g_mutex_unlock(&device->lock);

    umockdev_ioctl_client_complete(client, error ? -1 : 0, error);
    return TRUE;
}

// MARK: - Devices

usb_emulated_device *usb_emulator_add_device(usb_emulator *emulator,
                                             const usb_emulated_device_description *description,
                                             usb_emulator_firmware firmware,
                                             char *error, size_t error_capacity) {
    if (!emulator || !description) {
        fill_error(error, error_capacity, "%s", "no emulator or description");
        return NULL;
    }
    usb_emulated_device *device = g_new0(usb_emulated_device, 1);
    device->emulator = emulator;
    device->description = *description;
    device->manufacturer = g_strdup(description->manufacturer);
    device->product = g_strdup(description->product);
    device->serial = g_strdup(description->serial);
    device->firmware = firmware;
    g_mutex_init(&device->lock);
    g_queue_init(&device->waiting_in);
    g_queue_init(&device->done);
    g_queue_init(&device->waiting_out);

    const unsigned bus = description->bus, address = description->address;
    device->devnode = g_strdup_printf("/dev/bus/usb/%03u/%03u", bus, address);
    device->syspath = g_strdup_printf("/sys/devices/pci0000:00/0000:00:14.0/usb%u/%u-%u", bus, bus, address);

    // The handler first, so the device is answerable the moment it appears.
    device->handler = umockdev_ioctl_base_new();
    device->handler_signal = g_signal_connect(device->handler, "handle-ioctl", G_CALLBACK(handle_ioctl), device);
    GError *failure = NULL;
    if (!umockdev_testbed_attach_ioctl(emulator->testbed, device->devnode, device->handler, &failure)) {
        fill_error(error, error_capacity, "umockdev_testbed_attach_ioctl: %s", failure ? failure->message : "failed");
        g_clear_error(&failure);
        device_free(device);
        return NULL;
    }

    uint8_t descriptor[18], configuration[32];
    size_t device_size = device_descriptor(device, descriptor);
    size_t configuration_size = configuration_descriptor(device, configuration);
    GString *text = g_string_new(NULL);
    g_string_append_printf(text, "P: %s\n", device->syspath + strlen("/sys"));
    g_string_append_printf(text, "N: bus/usb/%03u/%03u\n", bus, address);
    g_string_append(text, "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n");
    g_string_append_printf(text, "E: BUSNUM=%03u\nE: DEVNUM=%03u\nE: DEVNAME=%s\n", bus, address, device->devnode);
    g_string_append_printf(text, "E: PRODUCT=%x/%x/100\n", description->vendor_id, description->product_id);
    g_string_append_printf(text, "A: busnum=%u\\n\nA: devnum=%u\\n\n", bus, address);
    g_string_append(text, "A: speed=12\\n\nA: bConfigurationValue=1\\n\nA: bNumConfigurations=1\\n\n");
    g_string_append_printf(text, "A: idVendor=%04x\\n\nA: idProduct=%04x\\n\n", description->vendor_id,
                           description->product_id);
    if (device->serial) g_string_append_printf(text, "A: serial=%s\\n\n", device->serial);
    g_string_append(text, "H: descriptors=");
    append_hex(text, descriptor, device_size);
    append_hex(text, configuration, configuration_size);
    g_string_append(text, "\n");

    gboolean added = umockdev_testbed_add_from_string(emulator->testbed, text->str, &failure);
    g_string_free(text, TRUE);
    if (!added) {
        fill_error(error, error_capacity, "umockdev_testbed_add_from_string: %s", failure ? failure->message : "failed");
        g_clear_error(&failure);
        device_free(device);
        return NULL;
    }
    gchar *root = umockdev_testbed_get_root_dir(emulator->testbed);
    device->node_file = g_build_filename(root, device->devnode, NULL);
    g_free(root);
    // Tell a running hotplug monitor, as the kernel would.
    umockdev_testbed_uevent(emulator->testbed, device->syspath, "add");
    g_ptr_array_add(emulator->devices, device);
    return device;
}

void usb_emulated_device_unplug(usb_emulated_device *device) {
    if (!device) return;
    g_mutex_lock(&device->lock);
    bool already = device->unplugged;
    device->unplugged = true;
    // What usbfs does on disconnect: every URB in flight ends with -ESHUTDOWN, and
    // (USBDEVFS_CAP_REAP_AFTER_DISCONNECT) can still be reaped.
    held_urb *held;
    while ((held = g_queue_pop_head(&device->waiting_in))) complete_held(device, held, -ESHUTDOWN, 0);
    while ((held = g_queue_pop_head(&device->waiting_out))) complete_held(device, held, -ESHUTDOWN, 0);
    g_mutex_unlock(&device->lock);
    if (already) return;
    umockdev_testbed_uevent(device->emulator->testbed, device->syspath, "remove");
    umockdev_testbed_remove_device(device->emulator->testbed, device->syspath);
}

void usb_emulated_device_set_claimed_elsewhere(usb_emulated_device *device, bool claimed) {
    if (!device) return;
    g_mutex_lock(&device->lock);
    device->claimed_elsewhere = claimed;
    g_mutex_unlock(&device->lock);
}

void usb_emulated_device_set_out_naks(usb_emulated_device *device, bool naks) {
    if (!device) return;
    g_mutex_lock(&device->lock);
    device->out_naks = naks;
    g_mutex_unlock(&device->lock);
}

const char *usb_emulated_device_node_file(const usb_emulated_device *device) {
    return device ? device->node_file : NULL;
}

usb_emulated_device_counters usb_emulated_device_get_counters(usb_emulated_device *device) {
    usb_emulated_device_counters counters = {0};
    if (!device) return counters;
    g_mutex_lock(&device->lock);
    counters = device->counters;
    g_mutex_unlock(&device->lock);
    return counters;
}

// MARK: - File identity

typedef struct {
    uid_t uid;
    gid_t gid;
    void (*body)(void *);
    void *context;
    int result;
} identity_run;

static void *run_with_identity(void *argument) {
    identity_run *run = argument;
    // setfsgid/setfsuid return the previous id; read back to see whether they took.
    setfsgid(run->gid);
    setfsuid(run->uid);
    if ((uid_t)setfsuid((uid_t)-1) != run->uid || (gid_t)setfsgid((gid_t)-1) != run->gid) {
        run->result = EPERM;
        return NULL;
    }
    run->body(run->context);
    return NULL;
}

int usb_emulator_run_with_file_identity(uint32_t uid, uint32_t gid, void (*body)(void *context), void *context) {
    identity_run run = { .uid = uid, .gid = gid, .body = body, .context = context, .result = 0 };
    pthread_t thread;
    int error = pthread_create(&thread, NULL, run_with_identity, &run);
    if (error) return error;
    error = pthread_join(thread, NULL);
    return error ? error : run.result;
}
