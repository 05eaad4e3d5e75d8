// umockdev-1.0 (and GLib/GObject under it), found through pkg-config. Only the USB
// device emulator used by the tests includes this.
#ifndef MASSAGE_CUMOCKDEV_SHIM_H
#define MASSAGE_CUMOCKDEV_SHIM_H
#include <umockdev.h>
#endif
