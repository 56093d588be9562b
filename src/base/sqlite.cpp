#include "base/sqlite.h"
