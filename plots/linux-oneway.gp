# ipclab beside Linux (harness/ipclab/linuxrun.py): two panels on a log scale, the null
# system call and one-way IPC; bars = median, each labelled with its value.
#
# Driven by linuxrun.linux_figure, which writes the data file and passes:
#   datafile  two blocks (index 0: null system call, index 1: one way), columns:
#             index colour median "label" (colour 1 ipclab, 2.. one per Linux
#             configuration)
#   outbase   output path without extension; formats: e.g. "png svg pdf"
#   ylabel    axis label carrying unit, clock and "log scale"
#   figtitle  title; caption: run id, commit (DIRTY marked), clock, what the bars are
if (!exists("formats")) formats = "png svg pdf"
if (!exists("caption")) caption = ""

stats datafile index 0 using 1 nooutput name "P0"
stats datafile index 1 using 1 nooutput name "P1"
stats datafile using 3 nooutput name "V"

set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.7
set logscale y
set yrange [V_min / 2 : V_max * 4]
set grid ytics lc rgb "#dddddd"
set xtics rotate by -35 left noenhanced nomirror font ",9"
set ytics nomirror
set key off
colour(c) = c == 1 ? 0x4477aa : (c == 2 ? 0xee6677 : (c == 3 ? 0xccbb44 : 0x228833))

do for [fmt in formats] {
    if (fmt eq "png") { set terminal pngcairo size 1400,780 font ",11" }
    if (fmt eq "svg") { set terminal svg size 1400,780 font "sans,11" dynamic }
    if (fmt eq "pdf") { set terminal pdfcairo size 10in,5.6in font "sans,9" }
    set output outbase.".".fmt
    set multiplot
    set label 101 figtitle at screen 0.5, screen 0.97 center font ",13" noenhanced
    set label 100 caption at screen 0.01, screen 0.015 left font ",8" noenhanced
    set tmargin at screen 0.86
    set bmargin at screen 0.22
    set lmargin at screen 0.07
    set rmargin at screen 0.30
    set title "null system call" noenhanced
    set ylabel ylabel noenhanced
    set xrange [-0.6 : P0_max + 0.6]
    plot datafile index 0 using 1:3:(colour($2)):xticlabels(4) with boxes lc rgb variable, \
         ''       index 0 using 1:($3 * 1.35):(sprintf("%.0f", $3)) with labels font ",9"
    unset label 100
    unset label 101
    set lmargin at screen 0.36
    set rmargin at screen 0.94
    set title "one-way IPC (ipclab: cross-space call, 1 word; Linux: one way, 1 byte or word)" noenhanced
    unset ylabel
    set xrange [-0.6 : P1_max + 0.6]
    plot datafile index 1 using 1:3:(colour($2)):xticlabels(4) with boxes lc rgb variable, \
         ''       index 1 using 1:($3 * 1.35):(sprintf("%.0f", $3)) with labels font ",9"
    unset multiplot
    unset output
}
