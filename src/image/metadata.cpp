#include "image/metadata.h"
