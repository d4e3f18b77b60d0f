# IPC cost against message length, as lines with 95% CI error bars, in one or more
# panels that share one y range: the length figures of a run (one line per variant;
# more than six variants are split into panels so every line stays readable), the
# before/after figures of `harness compare` (one panel per variant, old run dashed,
# new run solid) and the figure of `harness diff` (one panel per address space, one
# line per variant).
#
# Driven by harness/ipclab/plots.py, which passes (gnuplot -e):
#   datafile  blocks separated by two blank lines; each starts with a header line
#             'len "<legend title>"', then rows: len mean ci95
#   nblock, npanel, rows, cols    the blocks and the panel grid
#   PF[p], PN[p], PT[p]           panel p: first block (0-based), block count, title
#   BC[b], BD[b], BW[b], BP[b]    block b: colour index, dash type, line width, point
#   BF[b]                         block b: a floor drawn dashed (NaN: none), e.g. the
#                                 variant's null system call
#   nskip, SX[k], SB[k]           skipped lengths: x, and the block they belong to
#   ymax      shared upper y limit; figtitle, caption (bottom line), ylabel
#   width, height   pixels of the PNG and SVG (the PDF is the same at 144 dpi)
#   ml, mr, mb, mt, sx, sy        panel margins and spacing, fractions of the figure
#   outbase   output path without extension; formats: e.g. "png svg pdf"
array C[12] = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", \
               "#bbbbbb", "#000000", "#ff7f00", "#8c564b", "#1f77b4", "#9467bd"]
if (!exists("formats")) formats = "png svg pdf"
if (!exists("xlabel")) xlabel = "message length [words]"

set datafile missing "NaN"
set xrange [-0.8:16.8]
set xtics (0, 1, 2, 4, 8, 16)
set yrange [0:ymax]
set grid lc rgb "#dddddd"
set errorbars 0.3
set key inside top left Left reverse samplen 3 spacing 1.05 noenhanced nobox font ",9"

do for [fmt in formats] {
    if (fmt eq "png") { set terminal pngcairo size width, height font ",10" }
    if (fmt eq "svg") { set terminal svg size width, height font "sans,10" dynamic }
    if (fmt eq "pdf") {
        set terminal pdfcairo size (width/144.0)in, (height/144.0)in font "sans,7"
    }
    set output outbase.".".fmt
    set multiplot layout rows, cols title figtitle noenhanced \
        margins ml, mr, mb, mt spacing sx, sy
    do for [p=1:npanel] {
        unset label
        if (p == 1) {
            set label 100 caption at screen 0.01, screen 0.015 left font ",8" noenhanced
        }
        hasskip = 0
        do for [k=1:nskip] {
            b = SB[k]
            if (b >= PF[p] && b < PF[p] + PN[p]) {
                set label k "" at SX[k], graph 0.025 point pt 2 ps 1.6 lw 2 lc rgb C[BC[b+1]]
                hasskip = 1
            }
        }
        set title PT[p] noenhanced
        set ylabel ((p - 1) % cols == 0 ? ylabel : "") noenhanced
        set xlabel (p > npanel - cols ? xlabel : "") noenhanced
        plot for [b=PF[p]:PF[p]+PN[p]-1] datafile index b using 1:2:3 with yerrorlines \
                 lw BW[b+1] dt BD[b+1] pt BP[b+1] ps 1.1 lc rgb C[BC[b+1]] \
                 title columnheader(2), \
             for [b=PF[p]:PF[p]+PN[p]-1] BF[b+1] with lines dt 3 lw 1.2 lc rgb C[BC[b+1]] \
                 notitle, \
             NaN with lines dt 3 lw 1.2 lc rgb "#555555" \
                 title (BF[PF[p]+1] == BF[PF[p]+1] ? "null syscall (dotted)" : ""), \
             NaN with points pt 2 ps 1.6 lw 2 lc rgb "#555555" \
                 title (hasskip ? "x on the axis: length skipped" : "")
    }
    unset multiplot
    unset output
}
