# Linux IPC round trips measured on the host (bench/host/ipc_bench.cc), in host
# nanoseconds, same core against cross core, with the null system call as the floor.
# When the run directory also holds kernel results, the kernel's one-way and
# round-trip medians get a panel of their own, labelled with their own unit (guest
# instructions under icount): the two are never drawn on one axis.
#
# Variables (gnuplot -e): ipcdat, kerneldat ('' when none), kernelunit, kernelclock,
# outfile, term ('png' or 'svg'). Written by harness/ipclab/hostbench.py (plot).
havek = strlen(kerneldat) > 0
w = havek ? 1400 : 800
if (term eq 'svg') {
    set terminal svg size w,520 dynamic font 'sans,11' background rgb 'white'
} else {
    set terminal pngcairo size w,520 font 'sans,10' background rgb 'white'
}
set output outfile
set datafile missing '?'
set style fill solid 0.75 border -1
set grid ytics
set key below
set xtics nomirror rotate by -20 left
set boxwidth 0.9

if (havek) { set multiplot layout 1,2 }

set title "Linux on the host: 1-byte round trip between two processes\n(bars: median over repetitions, error bars: stddev)"
set style data histogram
set style histogram errorbars gap 2 lw 1
set logscale y
set yrange [10:*]
set ylabel 'round trip, median [host ns] (log scale)'
plot ipcdat using 2:3:xtic(1) title 'same core (both pinned to one CPU)' lc rgb '#1f77b4', \
     ''     using 4:5 title 'cross core (pinned to two CPUs)' lc rgb '#ff7f0e'

if (havek) {
    unset logscale y
    set yrange [0:*]
    set style histogram clustered gap 2
    set title sprintf("ipclab kernel under QEMU (clock=%s): IPC medians\nunit: %s, NOT host ns (shortest message, two address spaces)", kernelclock, kernelunit)
    set ylabel sprintf('median [%s] (clock=%s)', kernelunit, kernelclock)
    plot kerneldat using 2:xtic(1) title 'one-way (call)' lc rgb '#2ca02c', \
         ''        using 3 title 'round trip' lc rgb '#d62728', \
         ''        using 4 title 'null syscall' lc rgb '#7f7f7f'
    unset multiplot
}
