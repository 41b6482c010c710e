#!/usr/bin/env python3
"""tests/termcheck.py COLS ROWS FILE: what a terminal COLS x ROWS made of the bytes in FILE (a
transcript tests/pty.py wrote, its output post-processing off, so a newline is taken as the
terminal's usual carriage return and line feed).  Prints a report, one "key: value" a line:
  widest:   the rightmost column (1-based) any character was written in
  live:     the same for the lines that were erased later (the live block's: a permanent line
            is never erased), 0 when none was
  wrapped:  how many times a character went past the last column (the terminal wrapped the line)
  tallest:  the most lines one erase went over (cursor-ups in a row + 1: the live block's height)
  clamped:  cursor-ups that hit the top row (a block taller than the screen)
  hides, shows: \\033[?25l and \\033[?25h seen;  cursor: shown or hidden at the end
  unknown:  escape sequences or control bytes the emulation does not know (none is "-")
then "screen:" and every line the terminal ended with, the scrolled-off ones first, trailing
blanks cut.  Used by t-display.sh (the display driver) and meant for cenv itself too."""
import re
import sys


class Terminal:
    def __init__(self, cols, rows):
        self.cols, self.rows = cols, rows
        self.screen = [[" "] * cols for _ in range(rows)]
        self.history = []
        self.r = self.c = 0
        self.widest = self.wrapped = self.tallest = self.clamped = 0
        self.hides = self.shows = 0
        self.hidden = False
        self.unknown = []
        self.ups = 0  # cursor-ups in a row
        self.used = [0] * rows  # each row's rightmost column written since it was last erased
        self.live = 0

    def linefeed(self):
        if self.r == self.rows - 1:
            self.history.append(self.screen.pop(0))
            self.screen.append([" "] * self.cols)
            self.used = self.used[1:] + [0]
        else:
            self.r += 1

    def put(self, ch):
        if self.c >= self.cols:
            self.wrapped += 1
            self.c = 0
            self.linefeed()
        self.screen[self.r][self.c] = ch
        self.c += 1
        self.used[self.r] = max(self.used[self.r], self.c)
        self.widest = max(self.widest, self.c)

    def escape(self, params, final):
        if final == "A":
            n = int(params or "1")
            if self.r - n < 0:
                self.clamped += 1
            self.r = max(0, self.r - n)
            self.ups += n
            self.tallest = max(self.tallest, self.ups + 1)
            return
        if final == "K" and params in ("", "0"):
            if self.c == 0:
                self.live = max(self.live, self.used[self.r])
                self.used[self.r] = 0
            for i in range(self.c, self.cols):
                self.screen[self.r][i] = " "
        elif final == "J" and params in ("", "0"):
            for i in range(self.c, self.cols):
                self.screen[self.r][i] = " "
            for row in range(self.r + 1, self.rows):
                self.screen[row] = [" "] * self.cols
                self.live = max(self.live, self.used[row])
                self.used[row] = 0
        elif params == "?25" and final in "lh":
            self.hidden = final == "l"
            if self.hidden:
                self.hides += 1
            else:
                self.shows += 1
        else:
            self.unknown.append("ESC[" + params + final)
            self.ups = 0

    def feed(self, text):
        i = 0
        while i < len(text):
            ch = text[i]
            m = re.match(r"\x1b\[([0-9;?]*)([A-Za-z])", text[i:])
            if m:
                self.escape(m.group(1), m.group(2))
                i += m.end()
                continue
            if ch != "\r":
                self.ups = 0
            if ch == "\n":
                self.c = 0
                self.linefeed()
            elif ch == "\r":
                self.c = 0
            elif ch < " " or ch == "\x7f":
                self.unknown.append(repr(ch))
            else:
                self.put(ch)
            i += 1

    def lines(self):
        out = ["".join(row).rstrip() for row in self.history + self.screen]
        while out and not out[-1]:
            out.pop()
        return out


def emulate(data, cols, rows):
    t = Terminal(cols, rows)
    t.feed(data.decode("utf-8", errors="replace"))
    return t


def main():
    cols, rows, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(path, "rb") as f:
        t = emulate(f.read(), cols, rows)
    print("widest: %d" % t.widest)
    print("live: %d" % t.live)
    print("wrapped: %d" % t.wrapped)
    print("tallest: %d" % t.tallest)
    print("clamped: %d" % t.clamped)
    print("hides: %d" % t.hides)
    print("shows: %d" % t.shows)
    print("cursor: %s" % ("hidden" if t.hidden else "shown"))
    print("unknown: %s" % (" ".join(sorted(set(t.unknown))) or "-"))
    print("screen:")
    for line in t.lines():
        print(line)


if __name__ == "__main__":
    main()
