package io.vectorflow.bench.report;

import io.vectorflow.core.eval.AnnBenchmark.Result;
import io.vectorflow.core.eval.AnnBenchmark.Row;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The ann-benchmarks picture: recall@k on the x axis, single-thread QPS on a log y axis, one
 * line per engine through its ef sweep. Up and to the right is better.
 */
public final class RecallQpsChart {

    private static final Color[] PALETTE = {
        new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xFF, 0x7F, 0x0E), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B)};

    private RecallQpsChart() {}

    /** Draws the chart for one data set's results and writes it as a PNG. */
    public static void write(List<Result> results, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection series = new XYSeriesCollection();
        for (Result r : results) {
            XYSeries s = new XYSeries(r.engine(), false, true);
            for (Row row : r.results()) {
                s.add(row.recall(), row.qps1t());
            }
            series.addSeries(s);
        }
        int k = results.getFirst().k();
        JFreeChart chart = ChartFactory.createXYLineChart(title, "recall@" + k, "queries per second (1 thread)",
                series, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        LogAxis qps = new LogAxis("queries per second (1 thread, log scale)");
        qps.setSmallestValue(1);
        qps.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
        plot.setRangeAxis(qps);
        NumberAxis recall = (NumberAxis) plot.getDomainAxis();
        double min = results.stream().flatMap(r -> r.results().stream()).mapToDouble(Row::recall).min().orElse(0);
        recall.setRange(Math.max(0, Math.floor(min * 20) / 20 - 0.02), 1.0);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < results.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(results.get(i).engine().equals("vectorflow") ? 3f : 1.8f));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        }
        plot.setRenderer(renderer);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 560);
    }
}
