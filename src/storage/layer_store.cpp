#include "storage/layer_store.h"
