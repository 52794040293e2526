/**
 * Scan conversion of convex polygons into a pixel buffer, for slices with many regions: Chromium's
 * canvas (software rasteriser, as in headless runs) took 50–80 ms to fill and outline the 40,000
 * regions of an ACAS Xu slice, this takes a few milliseconds. A pixel belongs to a polygon when its
 * centre does (half-open rules: a centre on an edge shared by two polygons goes to exactly one of
 * them), so the fills of a tiling leave no gaps and do not overlap; region outlines are the pixels
 * whose region differs from the left or upper neighbour's. No anti-aliasing.
 */

/** Plane → pixel coordinates: x = ox + u·sx, y = oy − v·sy (pixel (i, j) has its centre at (i + ½, j + ½)). */
export interface PixelMap {
  ox: number;
  sx: number;
  oy: number;
  sy: number;
}

let xs = new Float64Array(64);
let ys = new Float64Array(64);

/**
 * Writes values[i] (or base + i when values is null) into buf[y·width + x] for every pixel
 * centre inside convex polygon i (verts[offsets[i] .. offsets[i + 1]) flat u, v), for i in order.
 */
export function fillPolygons(
  buf: Int32Array | Uint32Array,
  width: number,
  height: number,
  offsets: Uint32Array,
  verts: Float64Array,
  values: ArrayLike<number> | null,
  map: PixelMap,
  base = 0,
): void {
  const count = offsets.length - 1;
  const { ox, sx, oy, sy } = map;
  for (let i = 0; i < count; i++) {
    const a = offsets[i], nv = (offsets[i + 1] - a) >> 1;
    if (nv < 3) continue;
    if (xs.length < nv) { xs = new Float64Array(2 * nv); ys = new Float64Array(2 * nv); }
    let ymin = Infinity, ymax = -Infinity, xmin = Infinity, xmax = -Infinity;
    for (let k = 0; k < nv; k++) {
      const x = ox + verts[a + 2 * k] * sx, y = oy - verts[a + 2 * k + 1] * sy;
      xs[k] = x;
      ys[k] = y;
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
    }
    // rows whose centre y + ½ lies in [ymin, ymax)
    let j0 = Math.ceil(ymin - 0.5), j1 = Math.ceil(ymax - 0.5) - 1;
    if (j0 < 0) j0 = 0;
    if (j1 > height - 1) j1 = height - 1;
    if (j0 > j1 || xmax < 0 || xmin > width) continue;
    const value = values === null ? base + i : values[i];
    for (let j = j0; j <= j1; j++) {
      const yc = j + 0.5;
      let xl = Infinity, xr = -Infinity;
      for (let k = 0; k < nv; k++) {
        const k2 = k + 1 === nv ? 0 : k + 1;
        // each edge from its lower-y end (the same numbers for both polygons sharing it)
        let x0 = xs[k], y0 = ys[k], x1 = xs[k2], y1 = ys[k2];
        if (y1 < y0 || (y1 === y0 && x1 < x0)) { const tx = x0, ty = y0; x0 = x1; y0 = y1; x1 = tx; y1 = ty; }
        if (!(y0 <= yc && yc < y1)) continue;
        const x = x0 + ((yc - y0) * (x1 - x0)) / (y1 - y0);
        if (x < xl) xl = x;
        if (x > xr) xr = x;
      }
      if (!(xl < xr)) continue;
      // columns whose centre x + ½ lies in [xl, xr)
      let i0 = Math.ceil(xl - 0.5), i1 = Math.ceil(xr - 0.5) - 1;
      if (i0 < 0) i0 = 0;
      if (i1 > width - 1) i1 = width - 1;
      const row = j * width;
      for (let x = i0; x <= i1; x++) buf[row + x] = value;
    }
  }
}

/** 0xAABBGGRR (ImageData's byte order on little-endian machines) of a #rrggbb colour. */
export function rgba(hex: string, alpha = 255): number {
  const v = parseInt(hex.slice(1, 7), 16);
  return ((alpha << 24) | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff)) >>> 0;
}

/** Darkens the pixels on region boundaries (region id differs from the left or upper neighbour) towards `ink` by `alpha` (0..1). */
export function outlineRegions(pixels: Uint32Array, ids: Int32Array, width: number, height: number, ink: number, alpha: number): void {
  const ir = ink & 0xff, ig = (ink >> 8) & 0xff, ib = (ink >> 16) & 0xff;
  const f = Math.round(alpha * 256), g = 256 - f;
  for (let j = 0; j < height; j++) {
    const row = j * width;
    for (let i = 0; i < width; i++) {
      const p = row + i, id = ids[p];
      if ((i > 0 && ids[p - 1] !== id) || (j > 0 && ids[p - width] !== id)) {
        const c = pixels[p];
        const r = ((c & 0xff) * g + ir * f) >> 8, gg = (((c >> 8) & 0xff) * g + ig * f) >> 8, b = (((c >> 16) & 0xff) * g + ib * f) >> 8;
        pixels[p] = (0xff000000 | (b << 16) | (gg << 8) | r) >>> 0;
      }
    }
  }
}

/** A slice (or one part of it) scan-converted: per pixel its region (−1: none of these regions) and colour (0: none). */
export interface RegionRaster {
  width: number;
  height: number;
  ids: Int32Array;
  pixels: Uint32Array;
}

/**
 * Scan-converts regions and their fills (polygon i of the fills lies in region `region[i]` and has
 * colour `colours[color[i]]`), as the page did for the whole slice: every region's pixels get its
 * id; a region with one fill polygon takes that polygon's colour pixel by pixel, the few regions
 * cut into several polygons (where the class changes) are filled polygon by polygon on top. Runs
 * in the workers, one part each, so that the page only puts the joined pixels (joinRasters).
 */
export function rasterizeRegions(
  regions: { offsets: Uint32Array; verts: Float64Array },
  fills: { offsets: Uint32Array; verts: Float64Array; color: ArrayLike<number>; region: ArrayLike<number> },
  colours: Uint32Array,
  width: number,
  height: number,
  map: PixelMap,
  reuse?: { ids?: Int32Array; pixels?: Uint32Array },
): RegionRaster {
  const count = regions.offsets.length - 1;
  const ids = reusable(reuse?.ids, width * height, Int32Array) ?? new Int32Array(width * height);
  ids.fill(-1);
  fillPolygons(ids, width, height, regions.offsets, regions.verts, null, map);
  // colours as int32 (the same bits): V8 keeps them in registers rather than as doubles
  const regionColour = new Int32Array(count);
  // fill polygons per region, saturating at 2 (one or several is all that matters)
  const parts = new Uint8Array(count);
  const nf = fills.offsets.length - 1;
  for (let i = 0; i < nf; i++) {
    const r = fills.region[i];
    if (parts[r] < 2) parts[r]++;
    regionColour[r] = colours[fills.color[i]] | 0;
  }
  const old = reusable(reuse?.pixels, width * height, Uint32Array);
  const pix = old && old.buffer !== ids.buffer ? new Int32Array(old.buffer, 0, width * height) : new Int32Array(width * height);
  for (let p = 0; p < ids.length; p++) { const id = ids[p]; pix[p] = id >= 0 ? regionColour[id] : 0; }
  let mixed = 0, coords = 0;
  for (let i = 0; i < nf; i++) if (parts[fills.region[i]] > 1) { mixed++; coords += fills.offsets[i + 1] - fills.offsets[i]; }
  if (mixed > 0) {
    const offs = new Uint32Array(mixed + 1), vs = new Float64Array(coords), cs = new Int32Array(mixed);
    let k = 0, n = 0;
    for (let i = 0; i < nf; i++) {
      if (parts[fills.region[i]] <= 1) continue;
      vs.set(fills.verts.subarray(fills.offsets[i], fills.offsets[i + 1]), n);
      n += fills.offsets[i + 1] - fills.offsets[i];
      offs[++k] = n;
      cs[k - 1] = colours[fills.color[i]] | 0;
    }
    fillPolygons(pix, width, height, offs, vs, cs, map);
  }
  return { width, height, ids, pixels: new Uint32Array(pix.buffer) };
}

/**
 * A view of n elements at the start of an array's buffer (one the caller no longer uses) when it
 * is large enough and not detached, else undefined: fresh memory costs a page fault per 4 KiB on its
 * first touch (about 4 ms per 4.8 MB in Chromium on this project's machine), reused memory not.
 */
function reusable<T extends Int32Array | Uint32Array>(a: ArrayBufferView | undefined, n: number, view: new (b: ArrayBuffer, o: number, n: number) => T): T | undefined {
  const b = a?.buffer;
  return b instanceof ArrayBuffer && b.byteLength >= 4 * n ? new view(b, 0, n) : undefined;
}

/**
 * Joins the rasters of a slice's parts (the regions of part i numbered after those of parts
 * 0..i − 1; `counts[i]` regions each) into the picture: later parts win a pixel both claim (as
 * filling them one after the other would), pixels of no region are `background`, region
 * boundaries are darkened as outlineRegions does. Works in place on the first raster's arrays and
 * returns its pixels.
 */
export function joinRasters(parts: RegionRaster[], counts: number[], background: number, ink: number, alpha: number): Uint32Array {
  const { width, height, ids, pixels } = parts[0];
  // more than two parts: parts 2.. folded into part 1 first (their ids shifted to follow part 1's)
  let base = parts.length > 1 ? counts[1] : 0;
  for (let i = 2; i < parts.length; i++) {
    const qi = parts[i].ids, qx = parts[i].pixels, pi = parts[1].ids, px = parts[1].pixels;
    for (let p = 0; p < qi.length; p++) if (qi[p] >= 0) { pi[p] = qi[p] + base; px[p] = qx[p]; }
    base += counts[i];
  }
  // one pass: each pixel's joined id and colour, then the outline test against its left and upper
  // neighbours (already joined), as outlineRegions does; colours as int32 (the same bits) so
  // that V8 keeps them in registers rather than as doubles
  const pix = new Int32Array(pixels.buffer, pixels.byteOffset, pixels.length);
  const pi = parts.length > 1 ? parts[1].ids : ids;
  const px = parts.length > 1 ? new Int32Array(parts[1].pixels.buffer, parts[1].pixels.byteOffset, parts[1].pixels.length) : pix;
  const base1 = parts.length > 1 ? counts[0] : 0, bg = background | 0;
  const ir = ink & 0xff, ig = (ink >> 8) & 0xff, ib = (ink >> 16) & 0xff;
  const f = Math.round(alpha * 256), g = 256 - f;
  for (let j = 0; j < height; j++) {
    const row = j * width;
    for (let i = 0; i < width; i++) {
      const p = row + i;
      let id = ids[p], c = pix[p];
      const q = pi[p];
      if (pi !== ids && q >= 0) { id = q + base1; c = px[p]; ids[p] = id; }
      else if (id < 0) c = bg;
      if ((i > 0 && ids[p - 1] !== id) || (j > 0 && ids[p - width] !== id)) {
        const r = ((c & 0xff) * g + ir * f) >> 8, gg = (((c >> 8) & 0xff) * g + ig * f) >> 8, b = (((c >>> 16) & 0xff) * g + ib * f) >> 8;
        c = 0xff000000 | (b << 16) | (gg << 8) | r;
      }
      pix[p] = c;
    }
  }
  return pixels;
}

/** The pixel map of a rectangle drawn into width × height pixels (u to the right, v up). */
export function pixelMap(rect: { u0: number; u1: number; v0: number; v1: number }, width: number, height: number): PixelMap {
  const sx = width / (rect.u1 - rect.u0), sy = height / (rect.v1 - rect.v0);
  return { ox: -rect.u0 * sx, sx, oy: rect.v1 * sy, sy };
}
