# An experiment's `bars` figure: one group per case, one bar per variant, each bar
# labelled with its value.
#
# Driven by harness/ipclab/expfigures.py, which passes (gnuplot -e):
#   datafile  one row per case: index case value_1 ... value_nvar (NaN: not measured)
#   nvar, names[i], ncase; ylabel, figtitle, caption; logy (0/1)
#   outbase   output path without extension; formats: e.g. "png svg pdf"
array C[12] = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", \
               "#bbbbbb", "#000000", "#ff7f00", "#8c564b", "#1f77b4", "#9467bd"]
if (!exists("formats")) formats = "png svg pdf"

set datafile missing "NaN"
set title figtitle noenhanced
set label 100 caption at screen 0.01, screen 0.015 left font ",8" noenhanced
set ylabel ylabel noenhanced
set grid ytics lc rgb "#dddddd"
set key outside top center horizontal noenhanced
set style fill solid 0.85 border rgb "#333333"
set xtics rotate by -20 left noenhanced nomirror
set bmargin 7
set offsets 0, 0, graph 0.1, 0
if (logy) { set logscale y } else { set yrange [0:*] }
bw = 0.8 / nvar
set boxwidth bw
set xrange [-0.6:ncase-0.4]

do for [fmt in formats] {
    if (fmt eq "png") { set terminal pngcairo size 1280,720 font ",11" }
    if (fmt eq "svg") { set terminal svg size 1280,720 font "sans,11" dynamic }
    if (fmt eq "pdf") { set terminal pdfcairo size 9in,5in font "sans,9" }
    set output outbase.".".fmt
    plot for [i=1:nvar] datafile using ($1 - 0.4 + bw*(i-0.5)):(column(i+2)) with boxes \
             lc rgb C[(i-1)%12+1] title names[i], \
         for [i=1:nvar] datafile using ($1 - 0.4 + bw*(i-0.5)):(column(i+2)): \
             (sprintf("%.0f", column(i+2))) with labels offset 0,0.6 font ",8" notitle, \
         datafile using 1:(NaN):xticlabels(2) notitle
    unset output
}
