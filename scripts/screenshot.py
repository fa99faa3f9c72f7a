#!/usr/bin/python3
"""Turns `tmux capture-pane -e -p` output (text with ANSI colour codes) into a
PNG, for the README's screenshot. Needs python3-pil and fonts-dejavu-core.

usage: tmux capture-pane -e -p -t SESSION | scripts/screenshot.py OUT.png
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
BG, FG = (24, 24, 24), (220, 220, 220)
PALETTE = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
           (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229)]
BRIGHT = [(102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
          (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255)]
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def cells(line):
    """Yields (char, fg, bg, bold, reverse) for one captured line."""
    fg, bg, bold, rev = None, None, False, False
    pos = 0
    for m in SGR.finditer(line + "\x1b[m"):
        for ch in line[pos:m.start()]:
            yield ch, fg, bg, bold, rev
        pos = m.end()
        codes = [int(c) if c else 0 for c in m.group(1).split(";")] if m.group(1) else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                fg, bg, bold, rev = None, None, False, False
            elif c == 1:
                bold = True
            elif c == 7:
                rev = True
            elif c in (22,):
                bold = False
            elif c == 27:
                rev = False
            elif 30 <= c <= 37:
                fg = PALETTE[c - 30]
            elif 90 <= c <= 97:
                fg = BRIGHT[c - 90]
            elif c == 39:
                fg = None
            elif 40 <= c <= 47:
                bg = PALETTE[c - 40]
            elif c == 49:
                bg = None
            elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                n = codes[i + 2]
                col = PALETTE[n] if n < 8 else BRIGHT[n - 8] if n < 16 else FG
                if c == 38:
                    fg = col
                else:
                    bg = col
                i += 2
            i += 1


def main():
    out = sys.argv[1]
    lines = sys.stdin.read().rstrip("\n").split("\n")
    font, bold_font = ImageFont.truetype(FONT, SIZE), ImageFont.truetype(BOLD, SIZE)
    cw = int(font.getlength("M"))
    ch = SIZE + 4
    width = max(len(SGR.sub("", l)) for l in lines)
    img = Image.new("RGB", (cw * width + 16, ch * len(lines) + 16), BG)
    d = ImageDraw.Draw(img)
    for row, line in enumerate(lines):
        for col, (c, fg, bg, bold, rev) in enumerate(cells(line)):
            f, b = fg or FG, bg or BG
            if rev:
                f, b = b, f
            x, y = 8 + col * cw, 8 + row * ch
            if b != BG:
                d.rectangle([x, y, x + cw, y + ch], fill=b)
            if c != " ":
                d.text((x, y + 1), c, font=bold_font if bold else font, fill=f)
    img.save(out)


if __name__ == "__main__":
    main()
