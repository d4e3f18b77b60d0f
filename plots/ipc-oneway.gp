# One-way IPC cost (call: client to server) per variant, same and cross address space,
# bars = mean, error bars = 95% confidence interval of the mean, and each variant's
# null-syscall floor drawn as a dashed black line across its pair of bars; each bar
# carries its mean as a number.
#
# Driven by harness/ipclab/plots.py, which writes the data file and passes:
#   datafile  columns: index variant same_mean same_ci cross_mean cross_ci null_mean
#   outbase   output path without extension; formats: e.g. "png svg pdf"
#   ylabel    axis label carrying unit and clock mode
#   figtitle  title (what is shown, message length)
#   caption   bottom line: run id, commit (DIRTY marked), clock, what the bars are
#   nvar      number of variants
if (!exists("nvar")) nvar = 1
if (!exists("formats")) formats = "png svg pdf"
if (!exists("caption")) caption = ""

set title figtitle noenhanced
set label 100 caption at screen 0.01, screen 0.015 left font ",8" noenhanced
set ylabel ylabel noenhanced
set xlabel "variant" noenhanced
set yrange [0:*]
set xrange [-0.6:nvar-0.4]
set grid ytics lc rgb "#dddddd"
set key outside top center horizontal noenhanced
set offsets 0, 0, graph 0.12, 0
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.38
set xtics rotate by -30 left noenhanced nomirror
set bmargin 7
set errorbars 0.4 lw 1.2

do for [fmt in formats] {
    if (fmt eq "png") { set terminal pngcairo size 1280,720 font ",11" }
    if (fmt eq "svg") { set terminal svg size 1280,720 font "sans,11" dynamic }
    if (fmt eq "pdf") { set terminal pdfcairo size 9in,5in font "sans,9" }
    set output outbase.".".fmt
    plot datafile using ($1-0.2):3:4 with boxerrorbars lc rgb "#4477aa" title "same address space", \
         ''       using ($1+0.2):5:6 with boxerrorbars lc rgb "#ee6677" title "cross address space", \
         ''       using ($1-0.45):7:(0.9):(0) with vectors nohead dt 2 lw 2.5 lc rgb "black" \
                  title "null-syscall floor (same variant)", \
         ''       using ($1-0.2):($3+$4):(sprintf("%.0f", $3)) with labels offset 0,0.6 font ",9" notitle, \
         ''       using ($1+0.2):($5+$6):(sprintf("%.0f", $5)) with labels offset 0,0.6 font ",9" notitle, \
         ''       using 1:(NaN):xticlabels(2) notitle
    unset output
}
