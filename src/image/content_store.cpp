#include "image/content_store.h"
