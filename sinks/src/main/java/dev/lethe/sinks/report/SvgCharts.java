package dev.lethe.sinks.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Line charts of a value across stages, drawn by XChart and exported as inline SVG through VectorGraphics2D. */
final class SvgCharts {

    static {
        // charts render off-screen; no display is needed or wanted (servers, CI)
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private SvgCharts() {
    }

    /**
     * One chart: x = stage, one line per series (points with no value are left out).
     *
     * @param series series name -> stage -> value
     * @return an {@code <svg>} element, without XML prolog, ready to inline in HTML
     */
    static String lineChart(String title, String yTitle, Map<String, SortedMap<Integer, Double>> series) {
        XYChart chart = new XYChartBuilder().width(560).height(320).title(title).xAxisTitle("stage").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisDecimalPattern("0.0");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setMarkerSize(6);
        int added = 0;
        for (Map.Entry<String, SortedMap<Integer, Double>> e : series.entrySet()) {
            double[] x = e.getValue().entrySet().stream().filter(p -> p.getValue() != null && !p.getValue().isNaN())
                    .mapToDouble(p -> p.getKey()).toArray();
            double[] y = e.getValue().values().stream().filter(v -> v != null && !v.isNaN()).mapToDouble(Double::doubleValue).toArray();
            if (x.length == 0) {
                continue;
            }
            XYSeries s = chart.addSeries(e.getKey(), x, y);
            s.setMarker(SeriesMarkers.CIRCLE);
            added++;
        }
        if (added == 0) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart " + title, e);
        }
        String svg = out.toString(StandardCharsets.UTF_8);
        int start = svg.indexOf("<svg");
        if (start < 0) {
            throw new IllegalStateException("XChart produced no <svg> element for chart " + title);
        }
        return svg.substring(start).strip();
    }
}
