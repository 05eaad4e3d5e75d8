// An emulated USB device for tests: a umockdev testbed holding the device's sysfs entry
// and descriptors, and an ioctl handler that answers libusb's usbfs calls on its device
// node. Bulk OUT URBs are handed to a firmware, bulk IN URBs are filled with what the
// firmware sends, control URBs answer the standard descriptor requests.
//
// Only useful inside umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so): without the
// preload, libusb would look at the real /sys and /dev.
//
// This header is plain C (no GLib types) so that Swift imports it without GLib.
#ifndef MASSAGE_USB_DEVICE_EMULATOR_H
#define MASSAGE_USB_DEVICE_EMULATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One umockdev testbed; every emulated device lives in one. At most one per process at
/// a time (umockdev points the preload at it through $UMOCKDEV_DIR).
typedef struct usb_emulator usb_emulator;

/// One emulated device in a testbed; owned by its emulator.
typedef struct usb_emulated_device usb_emulated_device;

/// The device's firmware, reached through callbacks. Both are called on umockdev's ioctl
/// thread, one at a time per device.
typedef struct {
    void *context;
    /// A bulk OUT URB's `count` bytes reached the device.
    void (*receive)(void *context, const uint8_t *bytes, size_t count);
    /// Writes up to `capacity` bytes the device sends to the host into `buffer` and
    /// returns how many; 0 when it has nothing to send now.
    size_t (*transmit)(void *context, uint8_t *buffer, size_t capacity);
} usb_emulator_firmware;

/// What the emulated device says about itself.
typedef struct {
    uint16_t vendor_id;
    uint16_t product_id;
    /// Bus number and device address: the node is /dev/bus/usb/BBB/DDD.
    uint8_t bus;
    uint8_t address;
    /// String descriptors; NULL leaves the index at 0 (no string). ASCII.
    const char *manufacturer;
    const char *product;
    const char *serial;
    /// bInterfaceClass of the one interface (0xFF: vendor specific).
    uint8_t interface_class;
    /// wMaxPacketSize of the bulk endpoints (64 at full speed).
    uint16_t max_packet_size;
} usb_emulated_device_description;

/// True when this process runs with umockdev's preload library.
bool usb_emulator_preload_active(void);

/// A new, empty testbed; NULL (with `error` filled) if it cannot be made.
usb_emulator *usb_emulator_new(char *error, size_t error_capacity);

/// Removes the testbed and every device in it. Close every libusb context first.
void usb_emulator_free(usb_emulator *emulator);

/// The testbed's root directory (it stands for / to the preloaded process).
const char *usb_emulator_root(const usb_emulator *emulator);

/// Adds a device with one configuration, one interface and bulk endpoints 0x01 (OUT) and
/// 0x81 (IN). NULL (with `error` filled) on failure.
usb_emulated_device *usb_emulator_add_device(usb_emulator *emulator,
                                             const usb_emulated_device_description *description,
                                             usb_emulator_firmware firmware,
                                             char *error, size_t error_capacity);

/// Unplugs the device the way the kernel reports it: URBs in flight end with -ESHUTDOWN
/// and can still be reaped, every later call fails with ENODEV, a "remove" uevent goes
/// out and the device leaves sysfs and /dev.
void usb_emulated_device_unplug(usb_emulated_device *device);

/// While true, claiming the interface fails with EBUSY, as when another process or a
/// kernel driver holds it.
void usb_emulated_device_set_claimed_elsewhere(usb_emulated_device *device, bool claimed);

/// While true, bulk OUT URBs never complete (the device NAKs every OUT packet, as a
/// stuck firmware does) until the host discards them.
void usb_emulated_device_set_out_naks(usb_emulated_device *device, bool naks);

/// The file in the testbed that stands for the device node (for permission tests).
const char *usb_emulated_device_node_file(const usb_emulated_device *device);

/// Counters for assertions: URBs the host submitted, bulk bytes each way.
typedef struct {
    uint64_t urbs_submitted;
    uint64_t bulk_out_bytes;
    uint64_t bulk_in_bytes;
    uint64_t control_requests;
    uint64_t unhandled_ioctls;
    /// The last ioctl request number the handler did not know (0: none).
    unsigned long last_unhandled_request;
} usb_emulated_device_counters;

usb_emulated_device_counters usb_emulated_device_get_counters(usb_emulated_device *device);

/// Runs `body(context)` on a new thread whose file-system identity is `uid`/`gid`
/// (setfsuid/setfsgid are per thread), so the kernel checks file permissions as that
/// user, without CAP_DAC_OVERRIDE, while the rest of the process stays as it is.
/// Returns 0, or an errno if the thread could not be started or could not switch.
int usb_emulator_run_with_file_identity(uint32_t uid, uint32_t gid,
                                        void (*body)(void *context), void *context);

#ifdef __cplusplus
}
#endif

#endif
