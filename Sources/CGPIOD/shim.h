// libgpiod 1.6 (the v1 API that Debian 12 ships), found through pkg-config.
#ifndef MASSAGE_CGPIOD_SHIM_H
#define MASSAGE_CGPIOD_SHIM_H
#include <gpiod.h>
#endif
