/* hello.c - a program built against the demo's environment with pkg-config. */
#include <stdio.h>
#include <greet.h>

int main(void)
{
	puts(greet_message());
	return 0;
}
