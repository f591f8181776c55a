/**
 * Charts as hand-written SVG, with no dependency: enough for losskit's pictures (lines, points,
 * legends, linear and log axes). The CLI turns them into PNG when @resvg/resvg-js is installed.
 */
export { Panel, PALETTE, blueRamp, type LineStyle, type PointStyle, type PanelOptions } from './panel.js';
export { figure, headerHeight, type FigureOptions } from './figure.js';
export { niceTicks, niceDomain, linearScale, logScale } from './scale.js';
