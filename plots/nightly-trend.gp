# A variant's nightly trend (harness nightly, harness/ipclab/history.py): x = the nights
# in order, labelled by the commit measured; one line per case (median per sample);
# every point where a number changed from the night before carries the commit's
# subject, so a step in a line names the change that made it.
#
# Driven by harness/ipclab/history.py, which passes (gnuplot -e):
#   datafile   columns: index night short c1 .. cN (medians; NaN where not measured)
#   labelfile  rows: index y "short: subject" (the changed points)
#   ncases, casenames[i]; nnights; nlabels
#   ylabel, figtitle, caption; outbase; formats: e.g. "png svg pdf"
array C[6] = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377"]
array PT[6] = [7, 5, 9, 11, 13, 3]
if (!exists("formats")) formats = "png svg pdf"

set datafile missing "NaN"
set title figtitle noenhanced
set label 100 caption at screen 0.01, screen 0.015 left font ",8" noenhanced
set ylabel ylabel noenhanced
set xlabel "night (commit measured)" noenhanced
set grid lc rgb "#dddddd"
set key outside right top Left reverse noenhanced samplen 3
set xtics rotate by -45 left noenhanced nomirror
set xrange [-0.5:nnights-0.5]
set yrange [0:*]
set offsets 0, 0, graph 0.25, 0
set bmargin 8

do for [fmt in formats] {
    if (fmt eq "png") { set terminal pngcairo size 1280,720 font ",11" }
    if (fmt eq "svg") { set terminal svg size 1280,720 font "sans,11" dynamic }
    if (fmt eq "pdf") { set terminal pdfcairo size 9in,5in font "sans,9" }
    set output outbase.".".fmt
    if (nlabels > 0) {
        plot for [i=1:ncases] datafile using 1:(column(i+3)):xticlabels(3) with linespoints \
                 lc rgb C[(i-1)%6+1] lw 2 pt PT[(i-1)%6+1] ps 1.1 title casenames[i], \
             labelfile using 1:2:3 with labels rotate by 20 left offset 0.5,1 font ",8" \
                 tc rgb "#333333" notitle, \
             labelfile using 1:2 with points pt 6 ps 2.2 lc rgb "black" title "a number changed"
    } else {
        plot for [i=1:ncases] datafile using 1:(column(i+3)):xticlabels(3) with linespoints \
                 lc rgb C[(i-1)%6+1] lw 2 pt PT[(i-1)%6+1] ps 1.1 title casenames[i]
    }
    unset output
}
