import { useEffect, useRef } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { echarts } from './echarts';

/** Canvas text measuring needs a real family list (not 'inherit'), or legends overlap. */
const CHART_FONT = "system-ui, 'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
export const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7c3aed', '#b45309', '#0e7490', '#be185d'];

/**
 * One ECharts chart. The chart is drawn for sighted users; `label` describes it for screen readers and the
 * same numbers are always in a table next to it.
 */
export function Chart({ option, label, height = 280, testId }: { option: EChartsCoreOption; label: string; height?: number; testId?: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  useEffect(() => {
    if (!element.current) return;
    const instance = echarts.init(element.current, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ color: PALETTE, animation: false, textStyle: { fontFamily: CHART_FONT }, ...option }, true);
  }, [option]);
  return <div ref={element} className="chart" role="img" aria-label={label} data-testid={testId} style={{ height }} />;
}
