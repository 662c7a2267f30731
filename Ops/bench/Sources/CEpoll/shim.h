// Linux epoll, which Swift's Glibc module does not import; talent-bench's event loop uses it.
#include <sys/epoll.h>
