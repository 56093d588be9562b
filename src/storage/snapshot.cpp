#include "storage/snapshot.h"
