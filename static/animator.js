// vizconv's live animator: a Streamlit custom component (components v2) that draws every step of a
// convolution in the browser from the data Python sends once (vizconv/animator.py): the window on every input
// channel, the kernel beside it, the products, each channel's sum, Σ + bias = value, and the output maps
// filling in. Plain JS, no library, nothing fetched. Playing sends nothing to the server; pausing, stepping
// and clicking send the view ({position, channel, speed}) so the page's step panel, CSV and link follow.

const INSTANCES = new WeakMap(); // parentElement -> Animator (the function is called again on every rerun)
const SEND_DELAY_MS = 250; // steps in quick succession send one view
const MAX_MAP_PX = 300; // a map's longer side at most
const MIN_TEXT_PX = 8; // numbers are written in map cells only where they can be this large

function decode(base64) {
  if (base64 === null || base64 === undefined) return null;
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// As vizconv.steps.format_number: whole numbers as such, else at most `digits` decimals, trailing zeros dropped.
export function formatNumber(value, digits = 3) {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value < 0 ? "-∞" : "∞";
  if (Math.abs(value) >= 1e12) return value.toPrecision(Math.max(digits, 1));
  if (value === Math.round(value)) return String(Math.round(value));
  let text = value.toFixed(digits).replace(/0+$/, "").replace(/\.$/, "");
  if (text === "-0" || text === "") text = "0";
  return text;
}

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function colourScale(stops, low, high) {
  const parsed = stops.map(([at, hex]) => [at, hexToRgb(hex)]);
  const span = high - low || 1;
  return (value) => {
    if (!Number.isFinite(value)) return "rgb(255,255,255)";
    const t = Math.min(Math.max((value - low) / span, 0), 1);
    let i = 1;
    while (i < parsed.length - 1 && parsed[i][0] < t) i += 1;
    const [a, ca] = parsed[i - 1];
    const [b, cb] = parsed[i];
    const f = b > a ? (t - a) / (b - a) : 0;
    const rgb = ca.map((c, k) => Math.round(c + (cb[k] - c) * f));
    return `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
  };
}

function luminance(rgbText) {
  const [r, g, b] = rgbText.match(/\d+/g).map(Number);
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

// One heatmap on a canvas: its colours and numbers drawn once (`base`), overlays drawn per frame.
class MapView {
  constructor(parent, title, rows, cols, cell, values, colourOf, numbers, digits) {
    this.rows = rows;
    this.cols = cols;
    this.cell = cell;
    this.figure = element("figure", "vz-map", parent);
    this.caption = element("figcaption", "", this.figure, title);
    this.canvas = element("canvas", "", this.figure);
    this.canvas.dataset.rows = String(rows);
    this.canvas.dataset.cols = String(cols);
    const ratio = window.devicePixelRatio || 1;
    this.ratio = ratio;
    this.canvas.width = Math.round(cols * cell * ratio);
    this.canvas.height = Math.round(rows * cell * ratio);
    this.canvas.style.width = `${cols * cell}px`;
    this.canvas.style.height = `${rows * cell}px`;
    this.base = document.createElement("canvas");
    this.base.width = this.canvas.width;
    this.base.height = this.canvas.height;
    const ctx = this.base.getContext("2d");
    ctx.scale(ratio, ratio);
    const font = Math.min(cell * 0.36, 13);
    const writeNumbers = numbers && font >= MIN_TEXT_PX;
    this.canvas.dataset.numbers = writeNumbers ? font.toFixed(1) : "0"; // the px size numbers are written at
    ctx.font = `${font}px sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (let y = 0; y < rows; y += 1) {
      for (let x = 0; x < cols; x += 1) {
        const v = values[y * cols + x];
        const colour = colourOf(v);
        ctx.fillStyle = colour;
        ctx.fillRect(x * cell, y * cell, cell, cell);
        if (writeNumbers) {
          ctx.fillStyle = luminance(colour) > 140 ? "#000" : "#fff";
          ctx.fillText(formatNumber(v, digits), (x + 0.5) * cell, (y + 0.5) * cell);
        }
      }
    }
    if (cell >= 6) {
      ctx.strokeStyle = "rgba(128,128,128,0.35)";
      ctx.lineWidth = 0.5;
      ctx.beginPath();
      for (let y = 0; y <= rows; y += 1) {
        ctx.moveTo(0, y * cell);
        ctx.lineTo(cols * cell, y * cell);
      }
      for (let x = 0; x <= cols; x += 1) {
        ctx.moveTo(x * cell, 0);
        ctx.lineTo(x * cell, rows * cell);
      }
      ctx.stroke();
    }
    this.ctx = this.canvas.getContext("2d");
  }

  begin() {
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.base, 0, 0);
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    return ctx;
  }

  cellAt(event) {
    const box = this.canvas.getBoundingClientRect();
    const x = Math.floor(((event.clientX - box.left) / box.width) * this.cols);
    const y = Math.floor(((event.clientY - box.top) / box.height) * this.rows);
    if (x < 0 || y < 0 || x >= this.cols || y >= this.rows) return null;
    return [y, x];
  }
}

function outline(ctx, cell, y, x, colour, width) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  if (cell < 6) {
    // a cell of a few pixels: a ring around it, so the place stays visible (the cell itself is left uncovered)
    const pad = 3;
    ctx.lineWidth = 2;
    ctx.strokeRect(x * cell - pad, y * cell - pad, cell + 2 * pad, cell + 2 * pad);
    return;
  }
  ctx.strokeRect(x * cell + width / 2, y * cell + width / 2, cell - width, cell - width);
}

// The window's extent as one ring, where its cells are too small to outline one by one.
function ring(ctx, cell, rows, cols, colour) {
  const pad = 3;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  const y0 = rows[0] * cell - pad;
  const x0 = cols[0] * cell - pad;
  ctx.strokeRect(x0, y0, (cols[cols.length - 1] + 1) * cell + pad - x0, (rows[rows.length - 1] + 1) * cell + pad - y0);
}

class Animator {
  constructor(parentElement) {
    this.parent = parentElement;
    this.signature = null;
    this.playing = false;
    this.timer = null;
    this.sendTimer = null;
    this.pinned = null; // [channel, y, x] of the input cell whose readers are shown
    this.root = element("div", "vz", parentElement);
    this.root.tabIndex = 0;
    this.root.setAttribute("role", "group");
    this.root.addEventListener("keydown", (event) => this.key(event));
    this.resizeObserver = new ResizeObserver(() => this.relayout());
    this.resizeObserver.observe(this.root);
  }

  destroy() {
    this.stop(false);
    this.resizeObserver.disconnect();
    clearTimeout(this.sendTimer);
    this.root.remove();
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    if (data.signature !== this.signature) {
      this.stop(false);
      this.build(data);
      this.position = data.position;
      this.channel = data.channel;
      this.server = [data.position, data.channel];
      this.render(true);
      this.root.dataset.signature = data.signature; // drawn: what a benchmark waits for
      return;
    }
    this.root.classList.toggle("vz-large", !!data.large);
    if (data.position !== this.server[0] || data.channel !== this.server[1]) {
      // the page moved the step (its ◀ ▶, slider, channel box or a link): follow it
      this.server = [data.position, data.channel];
      this.stop(false);
      this.position = data.position;
      this.channel = data.channel;
      this.render(true);
    }
  }

  build(data) {
    this.data = data;
    this.signature = data.signature;
    this.text = data.text;
    const g = data.geometry;
    this.g = g;
    this.padded = decode(data.padded);
    this.weight = decode(data.weight);
    this.bias = decode(data.bias);
    this.output = decode(data.output);
    this.positions = g.out_height * g.out_width;
    this.speed = data.speed;
    this.digits = data.integral ? 0 : 3;
    this.root.replaceChildren();
    this.root.classList.toggle("vz-large", !!data.large);
    this.pool = data.kind === "pool" ? g.pool : null; // "max" or "avg" for pooling, null for a convolution
    this.root.setAttribute("aria-label", this.pool ? this.text.label_pool : this.text.label);
    this.root.lang = data.lang === "zh" ? "zh" : "en";

    // controls
    const bar = element("div", "vz-bar", this.root);
    this.playButton = element("button", "vz-play", bar, this.text.play);
    this.playButton.type = "button";
    this.playButton.addEventListener("click", () => (this.playing ? this.stop(true) : this.play()));
    this.backButton = element("button", "vz-back", bar, "◀");
    this.backButton.type = "button";
    this.backButton.title = this.text.back;
    this.backButton.setAttribute("aria-label", this.text.back);
    this.backButton.addEventListener("click", () => this.step(-1));
    this.forwardButton = element("button", "vz-forward", bar, "▶");
    this.forwardButton.type = "button";
    this.forwardButton.title = this.text.forward;
    this.forwardButton.setAttribute("aria-label", this.text.forward);
    this.forwardButton.addEventListener("click", () => this.step(1));
    this.scrub = element("input", "vz-scrub", bar);
    this.scrub.type = "range";
    this.scrub.min = "0";
    this.scrub.max = String(this.positions - 1);
    this.scrub.setAttribute("aria-label", this.text.scrub);
    this.scrub.addEventListener("input", () => {
      this.stop(false);
      this.position = Number(this.scrub.value);
      this.render(false);
      this.send();
    });
    const speedLabel = element("label", "vz-speed", bar, `${this.text.speed} `);
    this.speedBox = element("select", "", speedLabel);
    for (const n of data.speeds) {
      const option = element("option", "", this.speedBox, fill(this.text.per_second, { n }));
      option.value = String(n);
    }
    this.speedBox.value = String(this.speed);
    this.speedBox.addEventListener("change", () => {
      this.speed = Number(this.speedBox.value);
      if (!this.playing) this.send();
    });
    const loopLabel = element("label", "vz-loop", bar);
    this.loopBox = element("input", "", loopLabel);
    this.loopBox.type = "checkbox";
    this.loopBox.checked = true;
    loopLabel.append(` ${this.text.loop}`);
    const channelLabel = element("label", "vz-channel", bar, `${this.text.channel} `);
    this.channelBox = element("select", "", channelLabel);
    for (let oc = 0; oc < g.out_channels; oc += 1) element("option", "", this.channelBox, String(oc)).value = String(oc);
    this.channelBox.addEventListener("change", () => {
      this.stop(false);
      this.channel = Number(this.channelBox.value);
      this.render(false);
      this.send();
    });

    this.where = element("div", "vz-where", this.root);
    const stage = element("div", "vz-stage", this.root);
    this.mapsBox = element("div", "vz-maps", stage);
    this.inputsBox = element("div", "vz-column vz-inputs", this.mapsBox);
    this.outputsBox = element("div", "vz-column vz-outputs", this.mapsBox);
    this.arithBox = element("div", "vz-column vz-arith", stage);
    this.barsBox = element("div", "vz-bars", stage);
    this.reverseNote = element("div", "vz-reverse", this.root);
    let legend = this.pool ? `${this.text.legend} ${this.text[`legend_${this.pool}`]}` : this.text.legend;
    if (!this.data.numbers_in_maps) legend = `${legend} ${this.pool ? this.text.magnified_pool : this.text.magnified}`;
    element("div", "vz-legend", this.root, legend);
    this.twin = element("div", "vz-twin", this.root);
    this.twin.setAttribute("aria-live", "polite");
    this.twin.setAttribute("role", "status");
    this.width = 0;
    this.relayout(true);
  }

  // Maps and arithmetic tables, sized to the space there is (again when the page is resized).
  relayout(force = false) {
    if (!this.data) return;
    const width = Math.round(this.root.clientWidth || 600);
    if (!force && Math.abs(width - this.width) < 24) return;
    this.width = width;
    const g = this.g;
    // the input and output maps share rows, each map at least 110 px wide; the arithmetic goes below
    const maps = g.in_channels + g.out_channels;
    const perRow = Math.min(maps, Math.max(2, Math.floor(width / 110)));
    const mapPx = Math.max(Math.min((width - 12 * (perRow - 1) - 8) / perRow, MAX_MAP_PX), 60);
    const cellIn = Math.max(Math.floor(mapPx / Math.max(g.padded_height, g.padded_width)), 1);
    const cellOut = Math.max(Math.floor(mapPx / Math.max(g.out_height, g.out_width)), 1);
    const c = this.data.colours;
    const inputColour = colourScale(c.input_scale, c.input_range[0], c.input_range[1]);
    const outputColour = colourScale(c.output_scale, c.output_range[0], c.output_range[1]);
    const numbers = this.data.numbers_in_maps;
    const digits = this.data.integral ? 0 : 2;
    this.inputsBox.replaceChildren();
    this.outputsBox.replaceChildren();
    const hp = g.padded_height;
    const wp = g.padded_width;
    this.inputMaps = [];
    for (let ic = 0; ic < g.in_channels; ic += 1) {
      const values = this.padded.subarray(ic * hp * wp, (ic + 1) * hp * wp);
      const map = new MapView(this.inputsBox, "", hp, wp, cellIn, values, inputColour, numbers, digits);
      this.decorateInput(map);
      map.canvas.addEventListener("mousemove", (event) => this.hoverInput(ic, map.cellAt(event), false));
      map.canvas.addEventListener("mouseleave", () => this.hoverInput(ic, null, false));
      map.canvas.addEventListener("click", (event) => this.hoverInput(ic, map.cellAt(event), true));
      this.inputMaps.push(map);
    }
    this.outputMaps = [];
    const size = g.out_height * g.out_width;
    for (let oc = 0; oc < g.out_channels; oc += 1) {
      const values = this.output.subarray(oc * size, (oc + 1) * size);
      const title = fill(this.text.output, { c: oc });
      const map = new MapView(this.outputsBox, title, g.out_height, g.out_width, cellOut, values, outputColour, numbers, digits);
      map.canvas.dataset.channel = String(oc);
      map.canvas.addEventListener("click", (event) => {
        const cell = map.cellAt(event);
        if (!cell) return;
        this.stop(false);
        this.channel = oc;
        this.position = cell[0] * g.out_width + cell[1];
        this.render(true);
        this.send(true);
      });
      this.outputMaps.push(map);
    }
    this.colourBars(inputColour, outputColour);
    this.buildArithmetic();
    this.render(false);
  }

  // A colour bar for the inputs and one for the outputs: the scale, its ends written (and 0 where it is signed).
  colourBars(inputColour, outputColour) {
    const c = this.data.colours;
    this.barsBox.replaceChildren();
    for (const [name, colourOf, [low, high]] of [
      ["input_scale", inputColour, c.input_range],
      ["output_scale", outputColour, c.output_range],
    ]) {
      const bar = element("div", "vz-colourbar", this.barsBox);
      bar.dataset.scale = name;
      element("span", "vz-tcap", bar, `${this.text[name]} `);
      element("span", "vz-end", bar, formatNumber(low, 2));
      const strip = element("canvas", "", bar);
      strip.width = 120;
      strip.height = 10;
      const ctx = strip.getContext("2d");
      for (let x = 0; x < 120; x += 1) {
        ctx.fillStyle = colourOf(low + ((high - low) * (x + 0.5)) / 120);
        ctx.fillRect(x, 0, 1, 10);
      }
      element("span", "vz-end", bar, formatNumber(high, 2));
    }
  }

  // Padding tint, the original input's outline and the unread cells: drawn once on the map's base.
  decorateInput(map) {
    const g = this.g;
    const c = this.data.colours;
    const ctx = map.base.getContext("2d");
    const cell = map.cell;
    const [top, , left] = g.pads;
    ctx.fillStyle = c.padding;
    for (let y = 0; y < map.rows; y += 1) {
      for (let x = 0; x < map.cols; x += 1) {
        const inside = y >= top && y < top + g.height && x >= left && x < left + g.width;
        if (!inside) ctx.fillRect(x * cell, y * cell, cell, cell);
      }
    }
    if (g.pads.some((p) => p > 0)) {
      ctx.strokeStyle = c.boundary;
      ctx.lineWidth = 2;
      ctx.strokeRect(left * cell, top * cell, g.width * cell, g.height * cell);
    }
    ctx.strokeStyle = c.unread;
    ctx.lineWidth = Math.max(1, cell / 10);
    for (let y = 0; y < map.rows; y += 1) {
      for (let x = 0; x < map.cols; x += 1) {
        if (g.rows_read[y] && g.cols_read[x]) continue;
        ctx.beginPath(); // a ✕ (or, in small cells, one diagonal): unread, drawn in shape, not only colour
        ctx.moveTo(x * cell, y * cell);
        ctx.lineTo((x + 1) * cell, (y + 1) * cell);
        if (cell >= 12) {
          ctx.moveTo((x + 1) * cell, y * cell);
          ctx.lineTo(x * cell, (y + 1) * cell);
        }
        ctx.stroke();
      }
    }
  }

  // One row per input channel of the kernel's group: window ⊙ kernel = products → sum.
  buildArithmetic() {
    const g = this.g;
    const [kh, kw] = g.kernel;
    this.arithBox.replaceChildren();
    this.rowsOfChannels = [];
    for (let k = 0; k < g.per_group; k += 1) {
      const row = element("div", "vz-arow", this.arithBox);
      const head = element("div", "vz-ahead", row);
      const tables = [];
      const line = element("div", "vz-aline", row);
      const parts = this.pool ? [[2, ""]] : [[0, "⊙"], [1, "="], [2, ""]]; // pooling: the window, then its value
      for (const [index, sign] of parts) {
        const box = element("div", "vz-tbox", line);
        const caption = element("div", "vz-tcap", box);
        const table = element("table", "vz-table", box);
        const cells = [];
        for (let i = 0; i < kh; i += 1) {
          const tr = element("tr", "", table);
          for (let j = 0; j < kw; j += 1) cells.push(element("td", "", tr));
        }
        tables.push({ caption, cells });
        if (sign) element("div", "vz-op", line, sign);
        if (index === 2) {
          const sum = element("div", "vz-sum", line);
          tables.push(sum);
        }
      }
      this.rowsOfChannels.push({ head, tables });
    }
    this.total = element("div", "vz-total", this.arithBox);
    this.totalLabel = element("div", "vz-tcap", this.total);
    this.totalLine = element("div", "vz-tline", this.total);
  }

  groupChannels(oc) {
    const g = this.g;
    const group = Math.floor(oc / (g.out_channels / g.groups));
    const start = group * g.per_group;
    return Array.from({ length: g.per_group }, (_, k) => start + k);
  }

  // Everything about output[oc, oy, ox], computed here from the data alone.
  stepAt(position, oc) {
    const g = this.g;
    const [kh, kw] = g.kernel;
    const [sh, sw] = g.stride;
    const [dh, dw] = g.dilation;
    const hp = g.padded_height;
    const wp = g.padded_width;
    const oy = Math.floor(position / g.out_width);
    const ox = position % g.out_width;
    const rows = Array.from({ length: kh }, (_, i) => oy * sh + i * dh);
    const cols = Array.from({ length: kw }, (_, j) => ox * sw + j * dw);
    if (this.pool) return this.poolStepAt(position, oc, oy, ox, rows, cols);
    const channels = this.groupChannels(oc).map((ic, k) => {
      const window = [];
      const kernel = [];
      const products = [];
      let sum = 0;
      for (let i = 0; i < kh; i += 1) {
        for (let j = 0; j < kw; j += 1) {
          const a = this.padded[ic * hp * wp + rows[i] * wp + cols[j]];
          const b = this.weight[((oc * g.per_group + k) * kh + i) * kw + j];
          const p = Math.fround(a * b);
          window.push(a);
          kernel.push(b);
          products.push(p);
          sum += p;
        }
      }
      return { ic, window, kernel, products, sum };
    });
    const bias = this.bias ? this.bias[oc] : 0;
    const value = this.output[oc * g.out_height * g.out_width + position];
    return { oc, oy, ox, rows, cols, channels, bias, value };
  }

  // Pooling: the window of channel c; max: the first largest value (as torch picks it), avg: the sum ÷ the count.
  poolStepAt(position, c, oy, ox, rows, cols) {
    const g = this.g;
    const hp = g.padded_height;
    const wp = g.padded_width;
    const window = [];
    let sum = 0;
    let winner = 0;
    for (const y of rows) {
      for (const x of cols) {
        const v = this.padded[c * hp * wp + y * wp + x];
        if (v > window[winner]) winner = window.length;
        window.push(v);
        sum += v;
      }
    }
    const value = this.output[c * g.out_height * g.out_width + position];
    const channels = [{ ic: c, window, kernel: [], products: [], sum, winner, count: window.length }];
    return { oc: c, oy, ox, rows, cols, channels, bias: 0, value };
  }

  render(announce) {
    if (!this.data) return;
    const g = this.g;
    const c = this.data.colours;
    const s = this.stepAt(this.position, this.channel);
    const group = new Set(s.channels.map((ch) => ch.ic));
    this.scrub.value = String(this.position);
    this.channelBox.value = String(this.channel);
    this.playButton.textContent = this.playing ? this.text.pause : this.text.play;
    this.where.textContent = fill(this.text.where, {
      oc: s.oc,
      oy: s.oy,
      ox: s.ox,
      p: this.position,
      last: this.positions - 1,
    });
    this.root.dataset.position = String(this.position);
    this.root.dataset.channel = String(this.channel);
    this.root.dataset.playing = this.playing ? "1" : "0";

    // the window on every input channel of the group (the others dimmed)
    this.inputMaps.forEach((map, ic) => {
      const ctx = map.begin();
      const inGroup = group.has(ic);
      map.figure.classList.toggle("vz-dim", !inGroup);
      map.caption.textContent = fill(inGroup || this.pool ? this.text.input : this.text.input_other, { c: ic });
      if (inGroup) {
        const width = Math.max(2, Math.min(3, map.cell / 4));
        if (map.cell < 6) ring(ctx, map.cell, s.rows, s.cols, c.window);
        else for (const y of s.rows) for (const x of s.cols) outline(ctx, map.cell, y, x, c.window, width);
        const [kh, kw] = g.kernel;
        if (kh * kw > 1 && (g.dilation[0] > 1 || g.dilation[1] > 1)) {
          ctx.setLineDash([4, 3]); // the window's extent, its gaps left open
          ctx.strokeStyle = c.window;
          ctx.lineWidth = 1;
          const y0 = s.rows[0] * map.cell;
          const x0 = s.cols[0] * map.cell;
          ctx.strokeRect(x0, y0, (s.cols[kw - 1] + 1) * map.cell - x0, (s.rows[kh - 1] + 1) * map.cell - y0);
          ctx.setLineDash([]);
        }
      }
      if (inGroup && this.pool === "max") {
        const w = s.channels[0].winner;
        const kw = g.kernel[1];
        outline(ctx, map.cell, s.rows[Math.floor(w / kw)], s.cols[w % kw], c.winner, Math.max(2, Math.min(4, map.cell / 3)));
      }
      if (this.pinned && this.pinned[0] === ic) outline(ctx, map.cell, this.pinned[1], this.pinned[2], c.reader, 2);
    });

    // outputs: computed up to this position, the current one outlined, an input cell's readers marked
    const readers = this.readers();
    this.outputMaps.forEach((map, oc) => {
      const ctx = map.begin();
      const cell = map.cell;
      ctx.fillStyle = c.cover;
      const oy = s.oy;
      const ox = s.ox;
      ctx.fillRect((ox + 1) * cell, oy * cell, (g.out_width - ox - 1) * cell, cell);
      ctx.fillRect(0, (oy + 1) * cell, g.out_width * cell, (g.out_height - oy - 1) * cell);
      if (readers && readers.channels.has(oc)) {
        for (const p of readers.positions) {
          outline(ctx, cell, Math.floor(p / g.out_width), p % g.out_width, c.reader, Math.max(1.5, Math.min(3, cell / 5)));
        }
      }
      if (oc === this.channel) outline(ctx, cell, oy, ox, c.cursor, Math.max(2, Math.min(3, cell / 3)));
      map.figure.classList.toggle("vz-current", oc === this.channel);
    });

    if (this.pool) {
      this.renderPool(s, announce);
      return;
    }
    // the arithmetic
    const digits = this.digits;
    s.channels.forEach((ch, k) => {
      const row = this.rowsOfChannels[k];
      row.head.textContent = fill(this.text.input, { c: ch.ic });
      const [windowTable, kernelTable, productTable, sum] = row.tables;
      windowTable.caption.textContent = this.text.window;
      kernelTable.caption.textContent = fill(this.text.kernel, { oc: s.oc, c: ch.ic });
      productTable.caption.textContent = this.text.products;
      const [top, , left] = g.pads;
      ch.window.forEach((v, n) => {
        const td = windowTable.cells[n];
        td.textContent = formatNumber(v, digits);
        const y = s.rows[Math.floor(n / g.kernel[1])];
        const x = s.cols[n % g.kernel[1]];
        td.classList.toggle("vz-pad", y < top || y >= top + g.height || x < left || x >= left + g.width);
      });
      ch.kernel.forEach((v, n) => (kernelTable.cells[n].textContent = formatNumber(v, 3)));
      ch.products.forEach((v, n) => (productTable.cells[n].textContent = formatNumber(v, 3)));
      sum.textContent = `→ Σ = ${formatNumber(ch.sum, 3)}`;
      sum.title = fill(this.text.channel_sum, { c: ch.ic });
      sum.dataset.value = String(ch.sum);
    });
    const withBias = this.bias !== null;
    this.totalLabel.textContent = withBias ? this.text.total : this.text.total_no_bias;
    const terms = s.channels.map((ch) => `(${formatNumber(ch.sum, 3)})`);
    if (withBias) terms.push(`(${formatNumber(s.bias, 3)})`);
    this.totalLine.textContent = `${terms.join(" + ")} = ${formatNumber(s.value, 3)}`;
    this.totalLine.dataset.bias = String(s.bias);
    this.totalLine.dataset.value = String(s.value);
    if (announce || !this.playing) {
      const twinTerms = s.channels.map((ch) => fill(this.text.twin_channel, { c: ch.ic, s: formatNumber(ch.sum, 3) }));
      if (withBias) twinTerms.push(fill(this.text.twin_bias, { b: formatNumber(s.bias, 3) }));
      this.twin.textContent = fill(this.text.twin, {
        oc: s.oc,
        oy: s.oy,
        ox: s.ox,
        terms: twinTerms.join(" + "),
        value: formatNumber(s.value, 3),
      });
    }
  }

  // Pooling's arithmetic: the window (max: its winner marked), then max = value, or Σ ÷ count = value.
  renderPool(s, announce) {
    const g = this.g;
    const ch = s.channels[0];
    const row = this.rowsOfChannels[0];
    row.head.textContent = fill(this.text.input, { c: ch.ic });
    const [windowTable, result] = row.tables;
    windowTable.caption.textContent = this.text.window;
    const [top, , left] = g.pads;
    ch.window.forEach((v, n) => {
      const td = windowTable.cells[n];
      td.textContent = formatNumber(v, this.digits);
      const y = s.rows[Math.floor(n / g.kernel[1])];
      const x = s.cols[n % g.kernel[1]];
      td.classList.toggle("vz-pad", y < top || y >= top + g.height || x < left || x >= left + g.width);
      td.classList.toggle("vz-win", this.pool === "max" && n === ch.winner);
    });
    const value = formatNumber(s.value, 3);
    let line;
    if (this.pool === "max") {
      result.textContent = `→ max = ${value}`;
      line = `${this.text.pool_max} = ${value}`;
    } else {
      result.textContent = `→ Σ = ${formatNumber(ch.sum, 3)}`;
      line = `(${formatNumber(ch.sum, 3)}) ÷ ${ch.count} = ${value}`;
    }
    result.dataset.value = String(this.pool === "max" ? s.value : ch.sum);
    this.totalLabel.textContent = this.pool === "max" ? this.text.total_max : fill(this.text.total_avg, { n: ch.count });
    this.totalLine.textContent = line;
    this.totalLine.dataset.value = String(s.value);
    if (announce || !this.playing) {
      const terms = this.pool === "max" ? this.text.pool_max : fill(this.text.twin_avg, { s: formatNumber(ch.sum, 3), n: ch.count });
      this.twin.textContent = fill(this.text.twin, { oc: s.oc, oy: s.oy, ox: s.ox, terms, value });
    }
  }

  // The output positions that read the input cell under the mouse (or the pinned one): ezyang's reverse view.
  readers() {
    if (!this.pinned) return null;
    const [ic, y, x] = this.pinned;
    const g = this.g;
    const [kh, kw] = g.kernel;
    const [sh, sw] = g.stride;
    const [dh, dw] = g.dilation;
    const rows = [];
    for (let oy = 0; oy < g.out_height; oy += 1) for (let i = 0; i < kh; i += 1) if (oy * sh + i * dh === y) rows.push(oy);
    const cols = [];
    for (let ox = 0; ox < g.out_width; ox += 1) for (let j = 0; j < kw; j += 1) if (ox * sw + j * dw === x) cols.push(ox);
    const positions = new Set();
    for (const oy of rows) for (const ox of cols) positions.add(oy * g.out_width + ox);
    const channels = new Set();
    const perGroupOut = g.out_channels / g.groups;
    const group = Math.floor(ic / g.per_group);
    for (let k = 0; k < perGroupOut; k += 1) channels.add(group * perGroupOut + k);
    return { positions, channels };
  }

  hoverInput(ic, cell, click) {
    if (click) {
      const same = this.pinned && this.locked && cell && this.pinned[0] === ic && this.pinned[1] === cell[0] && this.pinned[2] === cell[1];
      this.locked = !!cell && !same;
      this.pinned = this.locked ? [ic, cell[0], cell[1]] : null;
    } else if (!this.locked) {
      this.pinned = cell ? [ic, cell[0], cell[1]] : null;
    } else {
      return;
    }
    const readers = this.readers();
    if (readers) {
      const key = readers.positions.size ? this.text.reverse : this.text.reverse_none;
      this.reverseNote.textContent = fill(key, { y: this.pinned[1], x: this.pinned[2], n: readers.positions.size });
      this.root.dataset.readers = [...readers.positions].sort((a, b) => a - b).join(",");
    } else {
      this.reverseNote.textContent = "";
      delete this.root.dataset.readers;
    }
    if (!this.playing) this.render(false);
  }

  step(delta) {
    this.stop(false);
    this.position = (this.position + delta + this.positions) % this.positions;
    this.render(true);
    this.send();
  }

  play() {
    if (this.positions <= 1) return;
    this.playing = true;
    if (this.position >= this.positions - 1) this.position = 0;
    let last = performance.now();
    let owed = 0;
    const tick = (now) => {
      if (!this.playing) return;
      owed += ((now - last) * this.speed) / 1000;
      last = now;
      const moves = Math.floor(owed);
      if (moves > 0) {
        owed -= moves;
        let next = this.position + moves;
        if (next >= this.positions) {
          if (this.loopBox.checked) next %= this.positions;
          else {
            this.position = this.positions - 1;
            this.stop(true);
            return;
          }
        }
        this.position = next;
        this.render(false);
        this.frames = (this.frames || 0) + 1;
        this.root.dataset.frames = String(this.frames);
      }
      this.timer = requestAnimationFrame(tick);
    };
    this.render(false);
    this.timer = requestAnimationFrame(tick);
  }

  stop(send) {
    const was = this.playing;
    this.playing = false;
    if (this.timer !== null) cancelAnimationFrame(this.timer);
    this.timer = null;
    if (was && this.data) {
      this.render(true);
      if (send) this.send(true);
    }
  }

  // The view goes back to Python (one rerun): the step panel, CSV and link follow it.
  send(now = false) {
    clearTimeout(this.sendTimer);
    const go = () => {
      this.server = [this.position, this.channel];
      if (this.setStateValue) {
        this.setStateValue("view", { position: this.position, channel: this.channel, speed: this.speed });
      }
    };
    if (now) go();
    else this.sendTimer = setTimeout(go, SEND_DELAY_MS);
  }

  key(event) {
    if (event.target instanceof HTMLSelectElement || event.target instanceof HTMLInputElement) {
      if (event.target.type !== "range" && event.target.type !== "checkbox") return;
    }
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      this.step(event.key === "ArrowLeft" ? -1 : 1);
    } else if (event.key === " " || event.key === "Spacebar") {
      if (this.playing) this.stop(true);
      else this.play();
    } else if (event.key === "Home" || event.key === "End") {
      this.stop(false);
      this.position = event.key === "Home" ? 0 : this.positions - 1;
      this.render(true);
      this.send();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let animator = INSTANCES.get(parentElement);
  if (!animator) {
    animator = new Animator(parentElement);
    INSTANCES.set(parentElement, animator);
  }
  if (data) animator.update(data, setStateValue);
  return () => {
    animator.destroy();
    INSTANCES.delete(parentElement);
  };
}
