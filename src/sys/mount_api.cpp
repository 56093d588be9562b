#include "sys/mount_api.h"
