# An experiment's `lines` figure (variants/experiments/README.md, 'Figures'): one line
# per variant (per variant and bench when bench= lists several), x = the swept
# parameter (a case's len, its meaning in XLABEL), y = the chosen statistic, one panel
# per statistic when several are asked (stat=a,b,...); error bars only when the one
# statistic is the mean (95% CI).
#
# Driven by harness/ipclab/expfigures.py, which passes (gnuplot -e):
#   datafile  blocks separated by two blank lines, one per statistic and line
#             (statistic-major): rows x y err
#   nvar, names[i]  the lines' labels: the variants (or "variant: bench"), in order
#   npanel, panels[i]  the statistics, one panel each (absent: one panel)
#   xlabel, ylabel, figtitle, caption; logx, logy (0/1); errors (0/1)
#   outbase   output path without extension; formats: e.g. "png svg pdf"
array C[12] = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", \
               "#bbbbbb", "#000000", "#ff7f00", "#8c564b", "#1f77b4", "#9467bd"]
array PT[6] = [7, 5, 9, 11, 13, 3]
if (!exists("formats")) formats = "png svg pdf"
if (!exists("npanel")) npanel = 1
# A line drawn earlier is wider, so two variants with equal values stay both visible.

set datafile missing "NaN"
set title figtitle noenhanced
set label 100 caption at screen 0.01, screen 0.015 left font ",8" noenhanced
set xlabel xlabel noenhanced
set ylabel ylabel noenhanced
set grid lc rgb "#dddddd"
set key outside right top Left reverse noenhanced samplen 3
set bmargin 5
set offsets graph 0.03, graph 0.03, graph 0.08, 0
if (logx) { set logscale x 2 } else { set xrange [0:*] }
if (logy) { set logscale y } else { set yrange [0:*] }
set errorbars 0.3

do for [fmt in formats] {
    if (fmt eq "png") { set terminal pngcairo size (npanel > 1 ? 1800 : 1280),720 font ",11" }
    if (fmt eq "svg") { set terminal svg size (npanel > 1 ? 1800 : 1280),720 font "sans,11" dynamic }
    if (fmt eq "pdf") { set terminal pdfcairo size (npanel > 1 ? 13 : 9)in,5in font "sans,9" }
    set output outbase.".".fmt
    if (npanel > 1) {
        set multiplot layout 1,npanel title figtitle noenhanced
        unset title
        set key inside top left Left reverse noenhanced samplen 2 font ",9"
        do for [p=1:npanel] {
            set title panels[p] noenhanced
            plot for [i=1:nvar] datafile index ((p-1)*nvar+i-1) using 1:2 with linespoints \
                 lc rgb C[(i-1)%12+1] lw (nvar-i)*0.7+1.2 pt PT[(i-1)%6+1] ps 1.1 title names[i]
        }
        unset multiplot
    } else {
    if (errors) {
        plot for [i=1:nvar] datafile index (i-1) using 1:2:3 with yerrorlines \
             lc rgb C[(i-1)%12+1] lw (nvar-i)*0.7+1.2 pt PT[(i-1)%6+1] ps 1.1 title names[i]
    } else {
        plot for [i=1:nvar] datafile index (i-1) using 1:2 with linespoints \
             lc rgb C[(i-1)%12+1] lw (nvar-i)*0.7+1.2 pt PT[(i-1)%6+1] ps 1.1 title names[i]
    }
    }
    unset output
}
