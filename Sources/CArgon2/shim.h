// The system libargon2 (Debian's libargon2-dev), for Argon2id password hashing.
#include <argon2.h>
