# The kernel's own scheduler (kernel/core/sched.c built for the host): the cost of one
# sched_pick() against the number of threads in the ready queue, for the lazy and the
# Benno policy, with 0%, 50% and 90% of the threads blocked (bench/host/sched_bench.cc).
# Lazy leaves blocked threads queued, so the next pick walks past and drops them: its
# cost grows with the number of blocked threads. Benno never queues them: flat.
#
# Variables (gnuplot -e): scheddat, outfile, term ('png' or 'svg').
if (term eq 'svg') {
    set terminal svg size 900,560 dynamic font 'sans,11' background rgb 'white'
} else {
    set terminal pngcairo size 900,560 font 'sans,10' background rgb 'white'
}
set output outfile
set datafile missing '?'
set logscale xy
set grid xtics ytics mxtics mytics
set key top left
set xrange [0.8:6000]
set xtics (1, 16, 64, 256, 1024, 4096)
set title "sched\\_pick() of the kernel's ready queue, timed on the host\nmedian over repetitions; timer overhead subtracted; error bars: stddev"
set xlabel 'threads in the ready queue, one priority [count] (log scale)'
set ylabel 'cost of one sched\_pick() [host ns] (log scale)'
plot scheddat using 1:2:3   with yerrorlines lw 2 pt 7 lc rgb '#fdae6b' title 'lazy, 0% blocked', \
     ''       using 1:4:5   with yerrorlines lw 2 pt 7 lc rgb '#f16913' title 'lazy, 50% blocked', \
     ''       using 1:6:7   with yerrorlines lw 2 pt 7 lc rgb '#a63603' title 'lazy, 90% blocked', \
     ''       using 1:8:9   with yerrorlines lw 2 dt 2 pt 5 lc rgb '#9ecae1' title 'benno, 0% blocked', \
     ''       using 1:10:11 with yerrorlines lw 2 dt 2 pt 5 lc rgb '#4292c6' title 'benno, 50% blocked', \
     ''       using 1:12:13 with yerrorlines lw 2 dt 2 pt 5 lc rgb '#08519c' title 'benno, 90% blocked'
