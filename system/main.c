/* qemu-system-ppc64: the pseries FWNMI machine. */
#include "system/vl.h"

int main(int argc, char **argv)
{
    return qemu_main(argc, argv);
}
