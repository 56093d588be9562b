#include "oci/image.h"
