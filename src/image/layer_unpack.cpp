#include "image/layer.h"
