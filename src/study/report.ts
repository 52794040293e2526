/**
 * The study's report: Markdown, figures (SVG; galleries also as PNG by the runner) and a JSON of
 * every number (no timings, so two runs can be compared byte for byte).
 */
import type { JobResult } from './jobs.js';
import type { ImageAnalysis, LayerAnalysis } from './analyse-image.js';
import type { BranchCount } from './branches.js';
import type { LowDimPoint } from './lowdim.js';
import type { SpecImage } from './images.js';
import { activityBarsSvg, gallerySvg, panelsSvg, type PanelSpec, type Series } from './plots.js';

export interface ReportInput {
  results: JobResult[];
  images: SpecImage[];
  /** Classification of each image by each network: predicted[net][index]. */
  predicted: Record<string, number[]>;
  quick: boolean;
  /** Wall time of the whole run and the number of worker processes (only in the Markdown). */
  wallSeconds?: number;
  workers?: number;
  cpuSeconds?: number;
  /** Jobs taken from a cache of an earlier (interrupted) run with the same code. */
  cachedJobs?: number;
  /** A sentence about how the run was made (e.g. resumed), printed after the timing. */
  runNote?: string;
}

export interface ReportFile {
  name: string;
  text: string;
  /** Write this SVG as a PNG of the same base name instead (galleries: thousands of pixel rectangles). */
  png?: boolean;
}

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#9c755f'];
const NET_ORDER = ['256x2', '256x4', '256x6'];

const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
const sci = (v: number) => (v === 0 ? '0' : v.toExponential(1));
function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const range = (xs: number[], d = 0) => {
  const lo = Math.min(...xs), hi = Math.max(...xs);
  return lo === hi ? fmt(lo, d) : `${fmt(lo, d)}–${fmt(hi, d)}`;
};

/** Numbers only (no inputs, no timings): the deterministic part of a run. */
export function resultsJson(inp: ReportInput): string {
  const strip = (r: JobResult) => {
    if (r.kind === 'image') {
      return { kind: r.kind, job: r.job, network: r.analysis.network, index: r.analysis.index, label: r.analysis.label, predicted: r.analysis.predicted, layers: r.analysis.layers.map((L) => ({ ...L, ms: undefined, activity: undefined, linfInput: cert(L.linfInput), l2Input: cert(L.l2Input), nearest: L.nearest ? { ...L.nearest, input: cert(L.nearest.input) } : null })) };
    }
    if (r.kind === 'branches') return { kind: r.kind, job: { ...r.job, timeLimitMs: undefined }, count: { ...r.count, ms: undefined } };
    if (r.kind === 'slice') return { kind: r.kind, job: r.job, slice: r.slice };
    return { kind: r.kind, job: r.job, points: r.points };
  };
  const cert = (s: { certificate: unknown; what: string }) => ({ what: s.what, certificate: s.certificate });
  return JSON.stringify({ images: inp.images.map((im) => ({ index: im.index, label: im.label, eps: im.eps, levels: Array.from(im.levels) })), predicted: inp.predicted, results: inp.results.map(strip) }, null, 1) + '\n';
}

/** Builds every file of the report. */
export function buildReport(inp: ReportInput): ReportFile[] {
  const files: ReportFile[] = [];
  const imageRes = inp.results.filter((r): r is Extract<JobResult, { kind: 'image' }> => r.kind === 'image').map((r) => r.analysis);
  const branchRes = inp.results.filter((r): r is Extract<JobResult, { kind: 'branches' }> => r.kind === 'branches');
  const low = inp.results.filter((r): r is Extract<JobResult, { kind: 'lowdim' }> => r.kind === 'lowdim').flatMap((r) => r.points);
  const slices = inp.results.filter((r): r is Extract<JobResult, { kind: 'slice' }> => r.kind === 'slice').map((r) => ({ job: r.job as Extract<JobResult['job'], { kind: 'slice' }>, slice: r.slice }));
  const nets = NET_ORDER.filter((n) => imageRes.some((a) => a.network === n));
  const byNet = (n: string) => imageRes.filter((a) => a.network === n).sort((a, b) => a.index - b.index);
  const layersOf = (n: string) => byNet(n)[0].layers.map((L) => L.layer);
  const rowsAt = (n: string, l: number) => byNet(n).map((a) => a.layers.find((L) => L.layer === l)!).filter(Boolean);
  const md: string[] = [];
  const allLayers = imageRes.flatMap((a) => a.layers);
  const shown = allLayers.flatMap((L) => [L.linfInput, L.l2Input, ...(L.nearest ? [L.nearest.input] : [])]);
  const lpCount = allLayers.reduce((s, L) => s + L.lps, 0);

  md.push('# What preimages look like in trained networks', '');
  md.push('The founding paper (Carlsson et al., *The Preimage of Rectifier Network Activities*, 2017) ends with the plan of "empirically evaluating the procedure and its ability to extract complete preimages as well as the general structure of preimage manifolds". This is that study, for the VNN-COMP MNIST networks (784 inputs, 2, 4 or 6 hidden layers of 256 units) around the 15 images their specifications are built on, with ACAS Xu and VerticalCAS as low-dimensional contrast. Everything here is regenerated by `npm run study` (the code is in `src/study/` and `scripts/study.ts`); every number is in [results.json](results.json).');
  md.push('');
  if (inp.quick) md.push('**This is the quick version** (`npm run study -- --quick`): one image, one network. The full study is `npm run study`.', '');
  if (inp.wallSeconds !== undefined) md.push(`Last run: ${fmt(inp.wallSeconds, 0)} s wall time with ${inp.workers} worker processes on a 2-core machine shared with other jobs; the jobs used ${fmt(inp.cpuSeconds ?? 0, 0)} s of CPU in all${inp.cachedJobs ? ` (${inp.cachedJobs} of the ${inp.results.length} jobs were taken from the cache of an earlier run of the same code, \`--cache\`; the wall time is this run's only)` : ''}, so about ${fmt((inp.cpuSeconds ?? 0) / 2 / 60, 0)} minutes on 2 dedicated cores${inp.runNote ? ` (${inp.runNote})` : ''}, Node ${process.versions.node}. Deterministic: seeded directions and samples, node budgets for every search; results.json holds no timings, so two runs compare byte for byte.`, '');

  // ---- key findings
  md.push('## Findings', '');
  for (const n of nets) {
    const ls = layersOf(n);
    const parts = ls.map((l) => {
      const rs = rowsAt(n, l);
      return `layer ${l}: ${range(rs.map((r) => r.active))} active, dimension ${range(rs.map((r) => r.dimBox))}`;
    });
    md.push(`- **${n}**: ${parts.join('; ')}.`);
  }
  for (const n of nets) for (const l of layersOf(n)) {
    const rs = rowsAt(n, l);
    if (rs.every((r) => r.active === 1)) md.push(`- At layer ${l} of ${n} every image has exactly one active unit: everything after it sees a single number (that unit's value, a piecewise-linear function of the input), so the network's decision near these images hangs on one number, and the piece of an image's activity preimage there and at every later layer is 783-dimensional.`);
  }
  const pts = allLayers.filter((L) => L.dimBox === 0).length;
  md.push(`- No MNIST activity preimage is a single point (${pts} of ${allLayers.length} image-layer pairs): a layer of 256 units on 784 inputs is contracting, and the activities are sparse, so the equalities that pin an input down number at most min(active units of this layer, of every earlier layer) — far below 784. The preimage of an image's activity has dimension 784 − rank, between ${Math.min(...allLayers.map((L) => L.dimBox))} and ${Math.max(...allLayers.map((L) => L.dimBox))} here, and the pixel box cuts no dimension away (no pixel is pinned at 0 or 1: ${allLayers.filter((L) => L.pinned > 0).length} pairs with a pinned pixel).`);
  const linfExact = allLayers.filter((L) => L.linfExact).length;
  md.push(`- Extent: within the pixel box, another input with exactly the same activity lies at L-inf distance ${range(allLayers.map((L) => L.linf), 3)} from the image (exact for ${linfExact} of ${allLayers.length} pairs, ${fmt(median(allLayers.map((L) => L.linfLps)), 0)} LP(s) each in the median instead of 2·784): some pixel can always be driven from one end of [0, 1] to the other. In L2 such inputs lie at least ${range(allLayers.map((L) => L.l2Lower), 1)} away (best LP vertex found), against the box's upper bound ${range(allLayers.map((L) => L.l2Upper), 1)}.`);
  const near = allLayers.filter((L) => L.nearest);
  if (near.length) md.push(`- Indistinguishable inputs: for every image and layer, the input with the image's exact activity closest in L1 to an image of another digit is ${range(near.map((L) => L.nearest!.l1), 1)} away from that other image (median ${fmt(median(near.map((L) => L.nearest!.l1)), 1)}), while the two original images are ${range(near.map((L) => L.nearest!.l1Original), 1)} apart (median ratio ${fmt(median(near.map((L) => L.nearest!.l1 / L.nearest!.l1Original)), 2)}): the layer cannot tell the image from a picture that is much closer to the other digit, and the deeper the layer, the closer it gets (see the galleries).${(() => { const ex = near.map((L) => ({ L, a: imageRes.find((a) => a.layers.includes(L))! })).sort((x, y) => x.L.nearest!.l1 / x.L.nearest!.l1Original - y.L.nearest!.l1 / y.L.nearest!.l1Original)[0]; const o = ex.L.nearest!; return ` Most striking: for ${ex.a.network} layer ${ex.L.layer}, image ${ex.a.index} (a ${ex.a.label}) has exactly the same activity as a picture at L1 distance ${fmt(o.l1, 2)} from image ${o.otherIndex} (a ${o.otherLabel}; the two images are ${fmt(o.l1Original, 1)} apart), and the network gives that picture class ${o.input.certificate.predicted}, the class of image ${ex.a.index}.`; })()}`);
  if (branchRes.length) {
    const done = branchRes.filter((b) => b.count.status === 'complete');
    md.push(`- Branches in 784 dimensions are expensive: the engine's LP search needs an LP for almost every unit at every node (interval bounds over a 784-dimensional box decide few units). ${done.length} of ${branchRes.length} budgeted searches completed; see the branch table.`);
  }
  if (slices.length) {
    const cs = slices.flatMap((x) => x.slice.counts);
    const multi = cs.filter((c) => c.branches > 1);
    md.push(`- On ${slices[0].job.pixels}-pixel slices of the balls (complete counts by \`computePreimage\`, ${cs.length} searches, ${cs.filter((c) => c.status === 'complete').length} complete): ${cs.filter((c) => c.branches === 1 && c.dims.every((d) => d === 0)).length} of ${cs.length} preimages are the image alone (one piece of dimension 0: the slice's ${slices[0].job.pixels} free pixels are pinned down); ${multi.length} have more than one branch (at most ${Math.max(...cs.map((c) => c.branches))}).`);
  }
  if (low.length) {
    const acas = low.filter((p) => p.network.startsWith('ACAS'));
    const vc = low.filter((p) => p.network.startsWith('Vert'));
    const acasPts = acas.flatMap((p) => p.layers).filter((L) => L.dimBox === 0).length, acasAll = acas.flatMap((p) => p.layers).length;
    const vcPts = vc.flatMap((p) => p.layers).filter((L) => L.dimBox === 0).length, vcAll = vc.flatMap((p) => p.layers).length;
    md.push(`- Low-dimensional contrast: there the first layers expand (5 → 50, 4 → 21) and an activity pins the input down: ${acasPts} of ${acasAll} ACAS Xu point-layer pairs and ${vcPts} of ${vcAll} VerticalCAS pairs have a single-point preimage piece; the others are layers where few units stay active (see the contrast section).`);
  }
  md.push('');

  // ---- summary table
  md.push('## Summary', '');
  md.push('Per network and hidden layer, over the images (min–max, or the median where marked). Dimensions are of the preimage piece that contains the image (see Method); "L-inf" is exact, "L2 ≥" is the best vertex found by LP and "L2 ≤" the bound implied by the pixel box; "L1 to other digit" is the distance from the other image to the nearest input with this image\'s exact activity, "orig." the distance between the two images.', '');
  md.push('| network | layer | active units | dim in R^784 | dim in [0,1]^784 | single point | L-inf extent | L2 ≥ (median) | L2 ≤ (median) | L1 to other digit (median) | orig. L1 (median) | LPs | max rel. duality gap |');
  md.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const n of nets) for (const l of layersOf(n)) {
    const rs = rowsAt(n, l);
    const nr = rs.filter((r) => r.nearest);
    md.push(`| ${n} | ${l} | ${range(rs.map((r) => r.active))} | ${range(rs.map((r) => r.dimAll))} | ${range(rs.map((r) => r.dimBox))} | ${rs.filter((r) => r.dimBox === 0).length}/${rs.length} | ${range(rs.map((r) => r.linf), 3)}${rs.every((r) => r.linfExact) ? '' : ' (bounds)'} | ${fmt(median(rs.map((r) => r.l2Lower)), 2)} | ${fmt(median(rs.map((r) => r.l2Upper)), 2)} | ${nr.length ? fmt(median(nr.map((r) => r.nearest!.l1)), 2) : '–'} | ${nr.length ? fmt(median(nr.map((r) => r.nearest!.l1Original)), 2) : '–'} | ${rs.reduce((s, r) => s + r.lps, 0)} | ${sci(Math.max(...rs.map((r) => r.maxGap)))} |`);
  }
  md.push('');

  md.push('<details><summary>Every image and layer</summary>', '');
  md.push('| network | image | label | layer | active | dim R^784 | dim box | L-inf | attained at pixel (row, col) | LPs for L-inf | L2 ≥ | L2 ≤ | other image | L1 to it | orig. L1 | certified L1 lower bound | LPs | max rel. gap |');
  md.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const n of nets) for (const a of byNet(n)) for (const L of a.layers) {
    const o = L.nearest;
    md.push(`| ${n} | ${a.index} | ${a.label} | ${L.layer} | ${L.active} | ${L.dimAll} | ${L.dimBox} | ${fmt(L.linf, 3)}${L.linfExact ? '' : ` (≤ ${fmt(L.linfUpper, 3)})`} | (${Math.floor(L.linfPixel / 28)}, ${L.linfPixel % 28}) ${L.linfSign > 0 ? 'raised' : 'lowered'} | ${L.linfLps} | ${fmt(L.l2Lower, 2)} | ${fmt(L.l2Upper, 2)} | ${o ? `${o.otherIndex} (a ${o.otherLabel})` : '–'} | ${o ? fmt(o.l1, 3) : '–'} | ${o ? fmt(o.l1Original, 2) : '–'} | ${o ? fmt(o.l1LowerBound, 3) : '–'} | ${L.lps} | ${sci(L.maxGap)} |`);
  }
  md.push('', '</details>', '');

  // ---- images
  md.push('## The images', '');
  md.push('Each mnistfc property `prop_<i>_<eps>.vnnlib` boxes an L-inf ball of radius eps around a float32 image, computed in float32 and clipped to [0, 1]. The centre is (lo + hi)/2 for unclipped pixels, hi − eps where the box was clipped at 0 and lo + eps where it was clipped at 1; rounding it to a grey level k/255 and re-creating both specs\' boxes (eps = 0.03 and 0.05) in float32 from f32(k/255) reproduces every bound bit for bit, for every pixel of every image, and the two specs of an image agree on every pixel. Each image is classified as its specs say by all three networks.', '');
  md.push('| image | label (spec) | ' + nets.map((n) => `${n} class`).join(' | ') + ' | pixels at 0 | pixels at 1 | boxes clipped at 0 or 1 (of 784, eps 0.05) |');
  md.push('|---|---|' + nets.map(() => '---|').join('') + '---|---|---|');
  for (const im of inp.images) {
    md.push(`| ${im.index} | ${im.label} | ${nets.map((n) => String(inp.predicted[n]?.[im.index] ?? '–')).join(' | ')} | ${Array.from(im.pixels).filter((v) => v === 0).length} | ${Array.from(im.pixels).filter((v) => v === 1).length} | ${im.clipped} |`);
  }
  md.push('');

  // ---- figures
  const dimPanels: PanelSpec[] = nets.map((n) => {
    const ls = layersOf(n);
    const series: Series[] = [
      { name: 'dimension in [0,1]^784 (median, band: min–max)', color: COLORS[0], points: ls.map((l) => [l, median(rowsAt(n, l).map((r) => r.dimBox))]), band: ls.map((l) => { const v = rowsAt(n, l).map((r) => r.dimBox); return [l, Math.min(...v), Math.max(...v)]; }) },
      { name: 'dimension in R^784 (median)', color: COLORS[1], dashed: true, points: ls.map((l) => [l, median(rowsAt(n, l).map((r) => r.dimAll))]) },
      { name: '784 − active units of the layer (median)', color: COLORS[2], dashed: true, points: ls.map((l) => [l, 784 - median(rowsAt(n, l).map((r) => r.active))]) },
    ];
    return { title: `mnist ${n}`, xLabel: 'hidden layer', yLabel: 'dimension', series, xTicks: ls, yMin: 700, yMax: 784 };
  });
  files.push({ name: 'fig-dimension.svg', text: panelsSvg('Dimension of the preimage of an image\'s layer activity', dimPanels, { note: 'Dimension = 784 − rank of the active units\' equalities composed through the image\'s pattern; the rank is at most the fewest active units of any layer so far.' }) });
  const activePanels: PanelSpec[] = nets.map((n) => {
    const ls = layersOf(n);
    return { title: `mnist ${n}`, xLabel: 'hidden layer', yLabel: 'active units (of 256)', xTicks: ls, yMin: 0, series: [{ name: 'active units (median, band: min–max)', color: COLORS[3], points: ls.map((l) => [l, median(rowsAt(n, l).map((r) => r.active))]), band: ls.map((l) => { const v = rowsAt(n, l).map((r) => r.active); return [l, Math.min(...v), Math.max(...v)]; }) }, { name: 'rank of the equalities (784 − dimension, median)', color: COLORS[4], dashed: true, points: ls.map((l) => [l, median(rowsAt(n, l).map((r) => r.rankEq))]) }] };
  });
  files.push({ name: 'fig-active.svg', text: panelsSvg('Active units per layer at the 15 images', activePanels) });
  const extPanels: PanelSpec[] = nets.map((n) => {
    const ls = layersOf(n);
    const med = (f: (r: LayerAnalysis) => number) => ls.map((l) => [l, median(rowsAt(n, l).map(f))] as [number, number]);
    return { title: `mnist ${n}`, xLabel: 'hidden layer', yLabel: 'distance from the image', xTicks: ls, yMin: 0, series: [
      { name: 'L2 upper bound from the pixel box (median)', color: COLORS[2], dashed: true, points: med((r) => r.l2Upper) },
      { name: 'L2 lower bound: best LP vertex (median, band: min–max)', color: COLORS[0], points: med((r) => r.l2Lower), band: ls.map((l) => { const v = rowsAt(n, l).map((r) => r.l2Lower); return [l, Math.min(...v), Math.max(...v)]; }) },
      { name: 'L-inf (exact, median)', color: COLORS[3], points: med((r) => r.linf) },
    ] };
  });
  files.push({ name: 'fig-extent.svg', text: panelsSvg('Extent within [0,1]^784 of the inputs with an image\'s exact layer activity', extPanels) });

  md.push('## Dimension and extent', '');
  md.push('![Dimension per layer](fig-dimension.svg)', '', '![Active units per layer](fig-active.svg)', '', '![Extent per layer](fig-extent.svg)', '');
  const ones = nets.flatMap((n) => layersOf(n).filter((l) => rowsAt(n, l).some((r) => r.active === 1)).map((l) => `layer ${l} of ${n}`));
  md.push(`Why never a point: a hidden layer here has 256 units on 784 inputs, so even with every unit active its equalities leave at least 528 dimensions; in fact ${range(allLayers.map((L) => L.active))} units are active, and the composed equalities of layer l have rank at most the smallest number of active units in layers 1..l (the activity of layer l is a function of that of every earlier layer).${ones.length ? ` Where a single unit is left active (${ones.join(', ')}, for some images), the layer sees one number and its preimage piece has dimension 783 (until a later layer with more active units, whose rank is still capped at 1).` : ''} The contrast is an expanding layer with at least n independent active units (ACAS Xu and VerticalCAS below), whose activity pins the input down.`, '');

  // galleries: extremes
  for (const n of nets) {
    const rows = byNet(n).slice(0, 4).map((a) => {
      const im = inp.images.find((i) => i.index === a.index)!;
      const cells = [{ pixels: im.pixels, caption: [`image ${a.index} (label ${a.label})`, 'original'] }, ...a.layers.map((L) => ({ pixels: L.l2Input.x, caption: [`layer ${L.layer}: L2 ${fmt(L.l2Lower, 1)}`, `err ${sci(L.l2Input.certificate.relError)}`] }))];
      return { label: `image ${a.index}\nlabel ${a.label}`, cells };
    });
    files.push({ name: `gallery-extent-${n}.svg`, text: gallerySvg(`mnist ${n}: inputs with the image's exact activity at each layer, far from the image`, rows, { note: ['Each picture after the first has exactly the original\'s activity at that layer (recomputed by evaluation; err = relative difference) and lies in [0,1]^784.', 'They are the LP vertices farthest in L2 found (objective: towards the farthest corner of the pixel box).'] }), png: true });
  }
  md.push('### Far-away inputs with the same activity', '');
  md.push('For the first four images, the input with exactly the image\'s layer-l activity that the LP towards the farthest pixel-box corner reaches (the best of the L2 directions tried). They are certified by plain evaluation: "err" is the largest difference of the layer-l activity relative to its largest entry.', '');
  for (const n of nets) md.push(`![${n}: far inputs](gallery-extent-${n}.png)`, '');

  // galleries: indistinguishable
  md.push('## Indistinguishable inputs', '');
  md.push('For an image of one digit and a layer l, the input with **exactly** the image\'s layer-l activity (within [0,1]^784) that is closest in L1 to an image of another digit: one LP with x = x₁ + p − q, p, q ≥ 0 (2·784 variables), minimising Σ(p + q) over the image\'s preimage piece. The pair (image, that input) is indistinguishable for layer l and everything after it: the network gives both the same class.', '');
  md.push('This is not the pre-image of Mahendran & Vedaldi (*Understanding deep image representations by inverting them*, 2015), which the paper cites: they minimise ‖Φ(x) − Φ₀‖² plus a natural-image regulariser by gradient descent, so their pictures are some input whose representation is close to the target, with no statement of how close or of what else maps there. Here every picture shown has exactly the image\'s activity (checked by evaluation to 1e-9 relative, and the LP optimum by its dual), and the L1 optimum is certified: no input with that activity, within the image\'s piece, is closer to the other digit (the dual bound is reported).', '');
  for (const n of nets) {
    const rows = byNet(n).slice(0, 3).map((a) => {
      const im = inp.images.find((i) => i.index === a.index)!;
      const o = a.layers[0].nearest;
      const other = o ? inp.images.find((i) => i.index === o.otherIndex)! : null;
      const cells: { pixels: ArrayLike<number>; caption: string[] }[] = [{ pixels: im.pixels, caption: [`image ${a.index}: a ${a.label}`, `class ${a.predicted}`] }];
      for (const L of a.layers) if (L.nearest) cells.push({ pixels: L.nearest.input.x, caption: [`layer ${L.layer}: L1 ${fmt(L.nearest.l1, 1)}`, `class ${L.nearest.input.certificate.predicted}, err ${sci(L.nearest.input.certificate.relError)}`] });
      if (other && o) cells.push({ pixels: other.pixels, caption: [`image ${o.otherIndex}: a ${o.otherLabel}`, `L1 to image ${a.index}: ${fmt(o.l1Original, 1)}`] });
      return { label: `image ${a.index} → ${o ? o.otherIndex : ''}`, cells };
    });
    files.push({ name: `gallery-indistinguishable-${n}.svg`, text: gallerySvg(`mnist ${n}: the input with image A's exact layer activity closest (L1) to image B`, rows, { note: ['Left: image A. Middle: for each hidden layer, the certified input with exactly A\'s activity at that layer nearest to B. Right: image B.', 'class = the network\'s output class at the picture (always A\'s: the later layers see the same activity).'] }), png: true });
    const a0 = byNet(n)[0];
    const L1 = a0.layers[0];
    if (L1.nearest) files.push({ name: `activity-${n}-image${a0.index}-layer1.svg`, text: activityBarsSvg(`${n} layer 1: the activity shared by image ${a0.index} and its certified twin nearest to image ${L1.nearest.otherIndex}`, L1.activity, { note: `${L1.active} of ${L1.width} units active; the twin's activity differs by ${sci(L1.nearest.input.certificate.relError)} (relative)` }) });
  }
  for (const n of nets) {
    const a0 = byNet(n)[0];
    md.push(`![${n}: indistinguishable pairs](gallery-indistinguishable-${n}.png)`, '');
    if (a0.layers[0].nearest) md.push(`![${n}: the shared activity](activity-${n}-image${a0.index}-layer1.svg)`, '');
  }

  // ---- branches
  if (branchRes.length || low.length || slices.length) {
    md.push('## Branches near the image', '');
    md.push('The preimage of a layer-l activity is a union of convex pieces, one per activation pattern of layers 1..l−1 (the branches). Counted within L-inf balls of radius r around the image (intersected with the pixel box) by the engine\'s search with a point target at layer l and a node budget; "complete" means the search finished, so the count is exact; otherwise it is the number found when the budget ran out (a lower bound), never an estimate. Each piece\'s witness is certified by evaluation (its pattern and the layer-l activity). Layer 1 has no earlier layer: its preimage is one convex polyhedron.', '');
  }
  if (branchRes.length) {
    md.push('| network | image | layer | radius | branches | status | nodes | LPs | piece dimensions | certified |');
    md.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const b of branchRes) {
      const j = b.job as Extract<JobResult['job'], { kind: 'branches' }>;
      md.push(`| ${j.net} | ${j.index} | ${j.layer} | ${j.radius} | ${b.count.branches}${b.count.status === 'complete' ? '' : '+'} | ${b.count.status} | ${b.count.nodes} | ${b.count.lps} | ${[...new Set(b.count.dims)].join(', ') || '–'} | ${b.count.certified ? 'yes' : 'NO'} |`);
    }
    md.push('');
  }
  if (slices.length) {
    const k = slices[0].job.pixels;
    md.push(`### On ${k}-pixel slices: complete counts`, '');
    md.push(`The whole ball is out of reach, so the same question on a slice of it: ${k} pixels of the image's stroke (a seeded choice per image) free within the ball and [0, 1], every other pixel fixed at the image; \`computePreimage\` in full (point target at layer l, this flat box as domain, geometry and exact certificates), for images ${[...new Set(slices.map((x) => x.job.index))].join(', ')}. With ${k} free inputs, a layer with at least ${k} independent active units pins the slice down to the image itself (dimension 0), as in the low-dimensional networks below; a layer with fewer leaves a positive-dimensional trace.`, '');
    md.push('| network | layer | images | dimension of the pieces | branches r=0.01 (median, max) | r=0.03 | r=0.05 | all complete | all certified |');
    md.push('|---|---|---|---|---|---|---|---|---|');
    const snets = NET_ORDER.filter((n) => slices.some((x) => x.job.net === n));
    for (const n of snets) {
      const ss = slices.filter((x) => x.job.net === n);
      const L = Math.max(...ss[0].slice.counts.map((c) => c.layer));
      for (let l = 1; l <= L; l++) {
        const cs = ss.flatMap((x) => x.slice.counts.filter((c) => c.layer === l));
        const br = (r: number) => { const v = cs.filter((c) => c.radius === r).map((c) => c.branches); return `${fmt(median(v), 1)}, ${Math.max(...v)}`; };
        const dims = cs.flatMap((c) => c.dims);
        md.push(`| ${n} | ${l} | ${ss.length} | ${dims.length ? range(dims) : '–'} | ${br(0.01)} | ${br(0.03)} | ${br(0.05)} | ${cs.every((c) => c.status === 'complete') ? 'yes' : 'no'} | ${cs.every((c) => c.certified) ? 'yes' : 'NO'} |`);
      }
    }
    md.push('');
  }
  if (low.length || slices.length) {
    const layerSeries = (L: number, from: number, value: (l: number, r: number) => number): Series[] =>
      Array.from({ length: L - from + 1 }, (_, i) => i + from).map((l) => ({ name: `layer ${l}`, color: COLORS[(l - 1) % COLORS.length], points: [0.01, 0.03, 0.05].map((r) => [r, value(l, r)] as [number, number]) }));
    const slicePanels: PanelSpec[] = NET_ORDER.filter((n) => slices.some((x) => x.job.net === n)).map((n) => {
      const ss = slices.filter((x) => x.job.net === n);
      const L = Math.max(...ss[0].slice.counts.map((c) => c.layer));
      return { title: `mnist ${n}: ${ss[0].job.pixels}-pixel slices (median of ${ss.length} images)`, xLabel: 'radius (L-inf)', yLabel: 'branches', xTicks: [0.01, 0.03, 0.05], yMin: 0,
        series: layerSeries(L, 1, (l, r) => median(ss.map((x) => x.slice.counts.find((c) => c.layer === l && c.radius === r)!.branches))) };
    });
    if (slicePanels.length) {
      files.push({ name: 'fig-branches.svg', text: panelsSvg('Branches of an image\'s layer-l activity preimage within an L-inf ball, on 8-pixel slices', slicePanels, { note: 'Complete counts by computePreimage; layer 1 has no earlier layer (one convex piece); equal counts draw on top of each other.' }) });
      md.push('![Branches against radius on slices](fig-branches.svg)', '');
    }
    const lowPanels: PanelSpec[] = [];
    for (const g of ['ACAS Xu 1_1', 'VerticalCAS 21_1..9']) {
      const ps = low.filter((p) => (g.startsWith('ACAS') ? p.network.startsWith('ACAS') : p.network.startsWith('Vert')));
      if (!ps.length) continue;
      const L = Math.max(...ps.flatMap((p) => p.layers.map((x) => x.layer)));
      lowPanels.push({ title: `${g} (median of ${ps.length} points)`, xLabel: 'radius (L-inf, normalised inputs)', yLabel: 'branches', xTicks: [0.01, 0.03, 0.05], yMin: 0,
        series: layerSeries(L, 1, (l, r) => median(ps.map((p) => p.layers[l - 1].branches.find((b) => b.radius === r)!.branches))) });
    }
    if (lowPanels.length) files.push({ name: 'fig-branches-lowdim.svg', text: panelsSvg('Branches of activity preimages within an L-inf ball: ACAS Xu and VerticalCAS', lowPanels, { note: 'computePreimage with a point target at layer l; a few ACAS Xu searches end at their node budget (lower bounds, see the table).' }) });
  }

  // ---- low-dim
  if (low.length) {
    md.push('## Low-dimensional contrast: ACAS Xu and VerticalCAS', '');
    md.push('At seeded uniform points of the input box (ACAS Xu 1_1: the .nnet file\'s input range in normalised coordinates; VerticalCAS: the box of the project\'s examples, [−0.5, 0.5] × [−0.5, 0.5] × [0.149, 0.151] × [−0.5, 0.5]), per hidden layer: active units, the dimension of the activity preimage at the point, and the branches within L-inf balls from `computePreimage` (point target at layer l, complete with geometry and exact certificates, which are cheap in 4–5 dimensions).', '');
    md.push('Counts from searches that hit their node budget (20,000 nodes) are lower bounds; the "complete" column says how many of the searches finished.', '');
    md.push('| network | layer | points | active units | dimension | single point | branches r=0.01 (median, max) | r=0.03 | r=0.05 | complete | certified |');
    md.push('|---|---|---|---|---|---|---|---|---|---|---|');
    const groups: [string, LowDimPoint[]][] = [['ACAS Xu 1_1', low.filter((p) => p.network.startsWith('ACAS'))], ['VerticalCAS 21_1..9', low.filter((p) => p.network.startsWith('Vert'))]];
    for (const [g, ps] of groups) {
      if (!ps.length) continue;
      const L = Math.max(...ps.flatMap((p) => p.layers.map((x) => x.layer)));
      for (let l = 1; l <= L; l++) {
        const rs = ps.map((p) => p.layers[l - 1]);
        const br = (r: number) => { const v = rs.map((x) => x.branches.find((b) => b.radius === r)!.branches); return `${fmt(median(v), 1)}, ${Math.max(...v)}`; };
        const all = rs.flatMap((x) => x.branches);
        md.push(`| ${g} | ${l} | ${rs.length} | ${range(rs.map((x) => x.active))} | ${range(rs.map((x) => x.dimBox))} | ${rs.filter((x) => x.dimBox === 0).length}/${rs.length} | ${br(0.01)} | ${br(0.03)} | ${br(0.05)} | ${all.filter((b) => b.status === 'complete').length}/${all.length} | ${all.every((b) => b.certified) ? 'yes' : 'NO'} |`);
      }
    }
    md.push('');
    const lowPanels: PanelSpec[] = [];
    for (const [g, ps] of groups) {
      if (!ps.length) continue;
      const L = Math.max(...ps.flatMap((p) => p.layers.map((x) => x.layer)));
      const ls = Array.from({ length: L }, (_, i) => i + 1);
      const at = (l: number) => ps.map((p) => p.layers[l - 1]);
      lowPanels.push({ title: `${g} (${ps.length} points, input dimension ${ps[0].x.length})`, xLabel: 'hidden layer', yLabel: 'units / dimension', xTicks: ls, yMin: 0, series: [
        { name: 'active units (median, band: min–max)', color: COLORS[3], points: ls.map((l) => [l, median(at(l).map((x) => x.active))]), band: ls.map((l) => [l, Math.min(...at(l).map((x) => x.active)), Math.max(...at(l).map((x) => x.active))]) },
        { name: 'dimension of the activity preimage (median, band: min–max)', color: COLORS[0], points: ls.map((l) => [l, median(at(l).map((x) => x.dimBox))]), band: ls.map((l) => [l, Math.min(...at(l).map((x) => x.dimBox)), Math.max(...at(l).map((x) => x.dimBox))]) },
        { name: 'input dimension', color: COLORS[2], dashed: true, points: ls.map((l) => [l, ps[0].x.length]) },
      ] });
    }
    files.push({ name: 'fig-lowdim.svg', text: panelsSvg('Low-dimensional inputs: active units and preimage dimension per layer', lowPanels) });
    md.push('![Low-dimensional contrast](fig-lowdim.svg)', '', '![Branches in low dimension](fig-branches-lowdim.svg)', '');
    const reasons = [...new Set(low.flatMap((p) => p.layers.map((x) => x.pointReason)).filter((x): x is string => !!x).map((s) => s.replace(/\d+ active units have rank \d+/, 'k active units have rank n').replace(/= the input dimension/, '= the input dimension')))];
    const positive = groups.flatMap(([g, ps]) => {
      if (!ps.length) return [];
      const L = Math.max(...ps.flatMap((p) => p.layers.map((x) => x.layer)));
      return Array.from({ length: L }, (_, i) => i + 1).filter((l) => ps.some((p) => p.layers[l - 1].dimBox > 0)).map((l) => {
        const rs = ps.map((p) => p.layers[l - 1]);
        const pos = rs.filter((x) => x.dimBox > 0);
        return `${g} layer ${l} (${pos.length} of ${rs.length} points; there ${range(pos.map((x) => x.active))} active units, dimension ${range(pos.map((x) => x.dimBox))}, up to ${Math.max(...pos.map((x) => x.branches[x.branches.length - 1].branches))} branches within radius ${pos[0].branches[pos[0].branches.length - 1].radius})`;
      });
    });
    if (reasons.length) md.push(`Why a single point: ${reasons.join('; ')}. An expanding first layer (5 → 50, 4 → 21) with n independent active units fixes the input; a later layer keeps it fixed as long as its active units, composed through the earlier pattern, still have rank n. ${positive.length ? `Positive dimensions occur only at ${positive.join('; ')}.` : 'No layer has a positive-dimensional preimage at these points.'}`, '');
  }

  // ---- checks
  md.push('## Checks', '');
  md.push(`- Every picture and every input reported (${shown.length} of them) has its layer-l activity recomputed by plain evaluation: largest relative difference ${sci(Math.max(...shown.map((s) => s.certificate.relError)))} (the bound is 1e-9), all inside [0,1]^784: ${shown.every((s) => s.certificate.ok) ? 'all pass' : 'SOME FAIL'}.`);
  md.push(`- ${lpCount} LPs over the MNIST networks; every optimum is checked by its dual: multipliers of the right sign, the stationarity residual and the duality gap give a lower bound D − ‖r‖₁·max|bound| on every feasible objective; the largest gap relative to 1 + |objective| was ${sci(Math.max(...allLayers.map((L) => L.maxGap)))} (bound 1e-7): ${allLayers.every((L) => L.dualOk) ? 'all pass' : 'SOME FAIL'}. The L-inf extent is exact when the best value found reaches the largest certified bound of the other candidates (${linfExact} of ${allLayers.length}).`);
  if (slices.length) md.push(`- Slice runs: every piece's exact certificate holds: ${slices.every((x) => x.slice.counts.every((c) => c.certified)) ? 'yes' : 'NO'}; slivers: ${slices.reduce((t, x) => t + x.slice.counts.reduce((u, c) => u + c.slivers, 0), 0)}.`);
  if (low.length) md.push(`- Low-dimensional runs: every \`computePreimage\` piece carries its exact certificate (witness in the piece, pattern reproduced, target reached, in rational arithmetic): ${low.every((p) => p.layers.every((x) => x.branches.every((b) => b.certified))) ? 'all hold' : 'SOME FAIL'}; statuses: ${[...new Set(low.flatMap((p) => p.layers.flatMap((x) => x.branches.map((b) => b.status))))].join(', ')}.`);
  if (branchRes.length) md.push(`- Branch pieces: every witness reproduces its pattern and the layer-l activity (${branchRes.every((b) => b.count.certified) ? 'all' : 'NOT all'}); largest relative activity error ${sci(Math.max(0, ...branchRes.map((b) => b.count.maxRelError)))}; slivers (margin rule): ${branchRes.reduce((s, b) => s + b.count.slivers, 0)}.`);
  md.push('- The images are certified by re-creating their specs bit for bit (see The images). The test suite runs a small version (one image, 256x2) and validates a `computePreimage` result on a slice with the shared validator.', '');

  // ---- method
  md.push('## Method', '');
  md.push('- **The piece at the image.** With the image\'s activation pattern fixed in layers 1..l−1 (closed: active units z ≥ 0, inactive z ≤ 0) and at layer l active units z = y, inactive z ≤ 0, every pre-activation is an affine function of x; the set is a polyhedron and every point of it has exactly the image\'s layer-l activity. The whole preimage is the union of such pieces over earlier patterns; dimension and extent are of the image\'s own piece (so the extents are lower bounds for the whole preimage), and the branch counts look at the others near the image.');
  md.push(`- **Dimension.** In R^784: 784 − rank of the active units' equalities (the inequalities are strict at the image, so they do not cut the dimension: ${allLayers.reduce((t, L) => t + L.tightRows, 0)} rows within 1e-12 of tight over all image-layer pairs; such rows would enter the cone below).` + ' In [0,1]^784: the tangent cone at the image adds d_i ≥ 0 for pixels at 0 and d_i ≤ 0 at 1; LPs maximise the total movement of the bounded pixels (in [−1, 1]^784) until no more move, and the dual bound certifies that the remaining ones cannot; those are pinned; the dimension is the number of free pixels minus the rank of the equalities on them.');
  md.push('- **L-inf extent (exact).** Candidates (pixel, direction) are sorted by their room in the box (1 − x_i or x_i); they are solved in that order, warm-started, and the loop stops when the best value reaches the next room, so usually one LP settles it. The reported upper bound is the largest dual bound of the solved candidates and the next room.');
  md.push('- **L2 extent (bounds).** Maximising a convex function is not an LP; the lower bound is the farthest vertex among LP optima in several directions (towards the farthest box corner, the L-inf optimum, three seeded Gaussian directions), the upper bound is √Σ max(x_i, 1 − x_i)² from the box (the largest possible in [0,1]^784 at all; 28 × L-inf is another).');
  md.push('- **LPs** are solved by the project\'s dense dual simplex (`src/lp`) in 784 (or 2·784) variables with up to ~1,500 rows, warm-started between objectives; each optimum is dual-checked (`src/study/lp-dual.ts`).');
  md.push('- **Branches** use the engine\'s search (`preparePreimage`, `searchPlan`, `searchPieces`: the search `computePreimage` runs) but not its per-piece geometry: redundancy removal costs one LP per row, about 200 s per piece in 784 dimensions (measured on 256x2 image 0, layer 2, radius 0.01: a 43 s search and 200 s of geometry for one piece), so each piece is certified by evaluating its witness instead. In 4–5 dimensions and on the 8-pixel slices `computePreimage` runs in full (geometry and exact certificates).');
  md.push('');
  md.push('## Not done, and limits', '');
  md.push('- The dimension and extent are those of the image\'s own piece. The full preimage of an activity may contain other pieces (other earlier patterns) farther away; bounding its global extent would need the complete enumeration over the pixel box, out of reach in 784 dimensions.');
  md.push('- L2 extents are bounds, not maxima (a non-convex problem).');
  if (branchRes.length) md.push(`- Branch counts over the whole 784-pixel ball were run for ${new Set(branchRes.map((b) => JSON.stringify([(b.job as { net: string }).net, (b.job as { index: number }).index]))).size} image-network pairs within a node budget; ${branchRes.filter((b) => b.count.status !== 'complete').length} of ${branchRes.length} searches ended at the budget (their counts are lower bounds, mostly 0). The engine spends an LP on almost every unit of every node there (interval bounds over a 784-dimensional box settle few), about 10–20 ms each, and ${Math.round(median(branchRes.map((b) => b.count.lps / Math.max(1, b.count.nodes))))} LPs per node in the median. The 8-pixel slices give complete counts instead, for the slice only.`);
  md.push('');
  files.push({ name: 'README.md', text: md.join('\n') });
  files.push({ name: 'results.json', text: resultsJson(inp) });
  return files;
}
