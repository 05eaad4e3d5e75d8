// libusb-1.0, found through pkg-config (libusb-1.0.pc adds -I.../libusb-1.0).
#ifndef MASSAGE_CLIBUSB_SHIM_H
#define MASSAGE_CLIBUSB_SHIM_H
#include <libusb.h>
#endif
