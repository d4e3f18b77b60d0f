# An experiment's `waterfall` figure: the variants in order, each a floating bar from
# the previous variant's value to its own (red: cost added, green: removed; the first
# bar, blue, starts at 0), labelled with the step (+/-) and the value
# reached; horizontal dashed lines are published numbers, labelled as such.
#
# Driven by harness/ipclab/expfigures.py, which passes (gnuplot -e):
#   datafile  one row per variant: index name from to step (the first: from = 0)
#   nvar; nref, RV[k], RL[k]  reference values and their labels
#   ylabel, figtitle, caption; outbase; formats
if (!exists("formats")) formats = "png svg pdf"

set datafile missing "NaN"
set title figtitle noenhanced
set label 100 caption at screen 0.01, screen 0.015 left font ",8" noenhanced
set ylabel ylabel noenhanced
set grid ytics lc rgb "#dddddd"
set style fill solid 0.85 border rgb "#333333"
set xtics rotate by -20 left noenhanced nomirror
set bmargin 7
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set xrange [-0.6:nvar-0.4]
set key off
do for [k=1:nref] {
    set arrow k from graph 0, first RV[k] to graph 1, first RV[k] nohead dt 2 lw 2 \
        lc rgb "#aa3377"
    set label k RL[k] at graph 0.01, first RV[k] offset 0,0.6 left font ",9" \
        tc rgb "#aa3377" noenhanced
}

do for [fmt in formats] {
    if (fmt eq "png") { set terminal pngcairo size 1280,720 font ",11" }
    if (fmt eq "svg") { set terminal svg size 1280,720 font "sans,11" dynamic }
    if (fmt eq "pdf") { set terminal pdfcairo size 9in,5in font "sans,9" }
    set output outbase.".".fmt
    plot datafile using 1:(($3+$4)/2):($1-0.35):($1+0.35):($3 < $4 ? $3 : $4): \
             ($3 < $4 ? $4 : $3):($0 == 0 ? 0x4477aa : ($5 >= 0 ? 0xee6677 : 0x228833)) \
             with boxxyerror lc rgb variable, \
         datafile using 1:($3 > $4 ? $3 : $4):($0 == 0 ? sprintf("%.0f", $4) : \
             sprintf("%+.0f -> %.0f", $5, $4)) with labels offset 0,0.7 font ",9", \
         datafile using 1:(NaN):xticlabels(2)
    unset output
}
