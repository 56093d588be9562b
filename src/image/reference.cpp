#include "image/reference.h"
