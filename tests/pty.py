#!/usr/bin/env python3
"""tests/pty.py COLS OUT CMD...: runs CMD with its stdin, stdout and stderr on a new pseudo-terminal
COLS columns wide (24 rows), writes everything it put on the terminal to the file OUT, byte for
byte, and exits with CMD's status (128 + N when a signal N ended it).  PTY_ROWS: other than 24 rows."""
import fcntl
import os
import struct
import subprocess
import sys
import termios


def main():
    cols, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", int(os.environ.get("PTY_ROWS", "24")), cols, 0, 0))
    # the terminal as it is: no newline turned into \r\n, so the test reads what cenv wrote
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    child = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    with open(out, "wb") as f:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every end of the terminal's other side is closed
                break
            if not data:
                break
            f.write(data)
    status = child.wait()
    sys.exit(status if status >= 0 else 128 - status)


main()
