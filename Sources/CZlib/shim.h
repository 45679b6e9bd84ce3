// zlib from Debian's zlib1g-dev, for reading .gz datasets.
#include <zlib.h>
