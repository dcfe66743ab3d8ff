import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { tick } from '../format.ts';

export interface ChartSeries {
  label: string;
  /** The unit shown on its axis (series with the same unit share one). */
  unit: string;
  color: string;
  /** Draws steps (a value that holds until the next one, like an hourly price). */
  stepped?: boolean;
}

interface Props {
  /** Accessible name of the chart. */
  title: string;
  series: ChartSeries[];
  /** [times in seconds since the epoch, values of each series]. */
  data: AlignedData;
  height?: number;
}

/**
 * A uPlot chart over time that fills its container's width and follows new data without
 * being built again (live readings arrive several times a minute).
 */
export function TimeChart({ title, series, data, height = 240 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}/${s.unit}`).join('|');

  useEffect(() => {
    const element = box.current!;
    const units = [...new Set(series.map((s) => s.unit))];
    const options: Options = {
      width: element.clientWidth || 600,
      height,
      scales: { x: { time: true } },
      axes: [
        {},
        ...units.map((unit, index) => ({
          scale: unit, label: unit, side: index === 0 ? 3 : 1, grid: { show: index === 0 }, values: (_plot: uPlot, splits: number[]) => splits.map(tick),
        })),
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          scale: s.unit,
          stroke: s.color,
          width: 2,
          ...(s.stepped ? { paths: uPlot.paths.stepped!({ align: 1 }) } : {}),
        })),
      ],
    };
    plot.current = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: element.clientWidth, height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // The chart is built again only when its series change; new data goes to setData below.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div class="chart" ref={box} role="img" aria-label={title} />;
}
