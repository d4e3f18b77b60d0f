# One-way IPC cost (call: client to server) per variant, same and cross address space,
# bars = mean, error bars = 95% confidence interval of the mean, and each variant's
# null-syscall floor drawn as a dashed black line across its pair of bars; each bar
# carries its mean as a number.
#
# Driven by harness/ipclab/plots.py, which writes the data file and passes:
#   datafile  columns: index variant same_mean same_ci cross_mean cross_ci null_mean
#   outbase   output path without extension (.png and .svg are written)
#   ylabel    axis label carrying unit and clock mode
#   figtitle  title (what, run, commit, message length)
#   nvar      number of variants
if (!exists("nvar")) nvar = 1

set title figtitle noenhanced
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

do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 1280,720 font ",11" } \
    else { set terminal svg size 1280,720 font "sans,11" dynamic }
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
