# One-way IPC cost (call) against message length, one line per variant (its transfer
# mode in the legend), error bars = 95% confidence interval of the mean; each variant's
# null-syscall floor drawn as a dashed line of the same colour.
#
# Driven by harness/ipclab/plots.py, which passes:
#   datafile  blocks separated by two blank lines, one per variant; each block starts
#             with a header line "len <legend title>", then rows: len mean ci
#   floors    space separated null-syscall means, in block order
#   outbase   output path without extension (.png and .svg are written)
#   ylabel, figtitle, nvar
if (!exists("nvar")) nvar = 1
array C[12] = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", \
               "#bbbbbb", "#000000", "#ff7f00", "#8c564b", "#1f77b4", "#9467bd"]

set title figtitle noenhanced
set ylabel ylabel noenhanced
set xlabel "message length [words]" noenhanced
set xrange [-0.5:16.5]
set xtics (0, 1, 2, 4, 8, 16)
set yrange [0:*]
set offsets 0, 0, graph 0.10, 0
set grid lc rgb "#dddddd"
set key outside below center horizontal maxcols 4 height 1.5 noenhanced
set errorbars 0.3

do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 1280,720 font ",11" } \
    else { set terminal svg size 1280,720 font "sans,11" dynamic }
    set output outbase.".".fmt
    # Variants with identical costs draw on top of each other: earlier lines are drawn
    # wider with bigger points, later ones narrower, and each has its own point shape,
    # so every line stays visible.
    plot for [i=0:nvar-1] datafile index i using 1:2:3 with yerrorlines \
             lw (nvar > 1 ? 4.0 - 2.8 * i / (nvar - 1) : 2) pt (5 + 2 * (i % 5)) \
             ps (nvar > 1 ? 1.8 - 1.0 * i / (nvar - 1) : 1) \
             lc rgb C[i%12+1] title columnheader(2), \
         for [i=0:nvar-1] real(word(floors, i+1)) with lines dt 2 lw 1.5 \
             lc rgb C[i%12+1] notitle, \
         NaN with lines dt 2 lw 1.5 lc rgb "black" title "null-syscall floor (dashed, per variant)"
    unset output
}
