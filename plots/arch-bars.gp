# One case across architectures: a group of bars per variant, one bar per architecture
# (bars = mean, error bars = 95% confidence interval of the mean), each bar carrying its
# median as a number; a variant an architecture did not measure (not applicable there,
# or failed) is marked "n/a" on the axis in that architecture's place.
#
# Driven by harness/ipclab/multiarch.py, which writes the data file and passes:
#   datafile  columns: index variant, then per architecture k (1-based): mean ci median
#             mark (NaN where that architecture has no result for the variant, and mark
#             the quoted reason: "n/a", "FAIL", "skip" or "-"; "" where it has one)
#   narch     number of architectures; AT[k] their names (the legend)
#   nvar      number of variants
#   outbase   output path without extension; formats: e.g. "png svg pdf"
#   ylabel    axis label carrying unit and clock mode
#   figtitle  title (what is shown); caption: bottom line (runs, commits, clock)
#   width     pixels of the PNG and SVG
array C[6] = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377"]
if (!exists("formats")) formats = "png svg pdf"
if (!exists("caption")) caption = ""
if (!exists("width")) width = 1280
pdfw = width / 144.0     # inches, pdfcairo's unit

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
bw = 0.8 / narch
set boxwidth bw
set xtics rotate by -30 left noenhanced nomirror
set bmargin 7
set errorbars 0.4 lw 1.2
x(k) = column(1) - 0.4 + bw * (k - 0.5)
mean(k) = column(4 * k - 1)
ci(k) = column(4 * k)
med(k) = column(4 * k + 1)
mark(k) = stringcolumn(4 * k + 2)

do for [fmt in formats] {
    if (fmt eq "png") { set terminal pngcairo size width,720 font ",11" }
    if (fmt eq "svg") { set terminal svg size width,720 font "sans,11" dynamic }
    if (fmt eq "pdf") { set terminal pdfcairo size pdfw,5 font "sans,9" }
    set output outbase.".".fmt
    plot for [k=1:narch] datafile using (x(k)):(mean(k)):(ci(k)) with boxerrorbars \
             lc rgb C[(k - 1) % 6 + 1] title AT[k], \
         for [k=1:narch] datafile using (x(k)):(mean(k) + ci(k)):(sprintf("%.0f", med(k))) \
             with labels offset 0,0.6 font ",8" notitle, \
         for [k=1:narch] datafile using (x(k)):(0):(mark(k)) \
             with labels offset 0,0.6 font ",8" rotate by 90 left notitle, \
         datafile using 1:(NaN):xticlabels(2) notitle
    unset output
}
