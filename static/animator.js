// vizconv's live animator: a Streamlit custom component (components v2) that draws every step of a
// convolution in the browser from the data Python sends once (vizconv/viz/animator.py): the window on every input
// channel, the kernel beside it, the products, each channel's sum, Σ + bias = value, and the output maps
// filling in. Plain JS, no library, nothing fetched. Playing sends nothing to the server; pausing, stepping
// and clicking send the view ({position, channel, speed}) so the page's step panel, CSV and link follow.

const INSTANCES = new WeakMap(); // parentElement -> Animator (the function is called again on every rerun)
const ARRAYS = ["padded", "input", "weight", "bias", "output"]; // base64 float32 tensors in the data
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

// As vizconv.viz.steps.format_number: whole numbers as such, else at most `digits` decimals, trailing zeros dropped.
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
    this.numbers = numbers;
    this.digits = digits;
    this.decorations = null; // drawn on the base after the values: (map, ctx) => void
    this.paint(values, colourOf);
    this.ctx = this.canvas.getContext("2d");
  }

  // The values' colours (and numbers, where they fit), the grid, then any decorations: the map's base.
  paint(values, colourOf) {
    const { rows, cols, cell, ratio } = this;
    const ctx = this.base.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, cols * cell, rows * cell);
    const font = Math.min(cell * 0.36, 13);
    const writeNumbers = this.numbers && font >= MIN_TEXT_PX;
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
          ctx.fillText(formatNumber(v, this.digits), (x + 0.5) * cell, (y + 0.5) * cell);
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
    if (this.decorations) this.decorations(this, ctx);
  }

  // Decorations drawn on the base once (and after every paint): padding tint, crosses, outlines.
  decorate(draw) {
    this.decorations = draw;
    const ctx = this.base.getContext("2d");
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    draw(this, ctx);
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

// A dot at a fractional (row, column) of a map: upsampling's source coordinate.
function dot(ctx, cell, y, x, colour) {
  ctx.fillStyle = colour;
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc((x + 0.5) * cell, (y + 0.5) * cell, Math.max(3, Math.min(6, cell / 5)), 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
}

// A ✕ over a cell (one diagonal in small cells): drawn in shape, not only colour.
function cross(ctx, cell, y, x) {
  ctx.beginPath();
  ctx.moveTo(x * cell, y * cell);
  ctx.lineTo((x + 1) * cell, (y + 1) * cell);
  if (cell >= 12) {
    ctx.moveTo((x + 1) * cell, y * cell);
    ctx.lineTo(x * cell, (y + 1) * cell);
  }
  ctx.stroke();
}

// One table of numbers with its caption, in a line of the arithmetic: {box, caption, table, cells}.
function numberTable(line, rows, cols) {
  const box = element("div", "vz-tbox", line);
  const caption = element("div", "vz-tcap", box);
  const table = element("table", "vz-table", box);
  const cells = [];
  for (let i = 0; i < rows; i += 1) {
    const tr = element("tr", "", table);
    for (let j = 0; j < cols; j += 1) cells.push(element("td", "", tr));
  }
  return { box, caption, table, cells };
}

function span(values) {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? String(low) : `${low}–${high}`;
}

// What every kind shares: the controls, playing, the keys, sending the view back, the colour bars, hovering.
// A kind says how many positions and channels it has, lays out its maps, and draws one step.
class Animator {
  constructor(parentElement) {
    this.parent = parentElement;
    this.signature = null;
    this.playing = false;
    this.timer = null;
    this.sendTimer = null;
    this.pinned = null; // [map index, y, x] of the cell under the mouse (or clicked) whose links are shown
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
      this.position = data.position;
      this.channel = data.channel;
      this.build(data);
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
    this.g = data.geometry;
    for (const name of ARRAYS) this[name] = decode(data[name]); // the tensors a kind's data carries, else null
    this.prepare(data);
    this.speed = data.speed;
    this.digits = data.integral ? 0 : 3;
    this.pinned = null;
    this.locked = false;
    this.root.replaceChildren();
    this.root.classList.toggle("vz-large", !!data.large);
    this.root.dataset.kind = data.kind;
    const names = this.names();
    this.root.setAttribute("aria-label", this.text[names.label]);
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
    this.scrub.setAttribute("aria-label", this.text[names.scrub]);
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
    const channelLabel = element("label", "vz-channel", bar, `${this.text[names.channel]} `);
    this.channelBox = element("select", "", channelLabel);
    for (let c = 0; c < this.channels; c += 1) element("option", "", this.channelBox, String(c)).value = String(c);
    channelLabel.hidden = this.channels < 2;
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
    element("div", "vz-legend", this.root, this.legend());
    this.twin = element("div", "vz-twin", this.root);
    this.twin.setAttribute("aria-live", "polite");
    this.twin.setAttribute("role", "status");
    this.width = 0;
    this.relayout(true);
  }

  // The catalogue keys (live.*) of the animator's label, its scrubber's and its channel menu's: a kind may
  // name others.
  names() {
    return { label: "label", scrub: "scrub", channel: "channel" };
  }

  // Maps and arithmetic tables, sized to the space there is (again when the page is resized).
  relayout(force = false) {
    if (!this.data) return;
    const width = Math.round(this.root.clientWidth || 600);
    if (!force && Math.abs(width - this.width) < 24) return;
    this.width = width;
    const c = this.data.colours;
    this.inputColour = colourScale(c.input_scale, c.input_range[0], c.input_range[1]);
    this.outputColour = colourScale(c.output_scale, c.output_range[0], c.output_range[1]);
    this.mapDigits = this.data.integral ? 0 : 2;
    this.inputsBox.replaceChildren();
    this.outputsBox.replaceChildren();
    this.layoutMaps(width);
    this.colourBars(this.inputColour, this.outputColour);
    this.buildArithmetic();
    this.render(false);
  }

  // The side of a map: the input and output maps share rows, each map at least 110 px wide.
  mapSide(width, maps) {
    const perRow = Math.min(maps, Math.max(2, Math.floor(width / 110)));
    return Math.max(Math.min((width - 12 * (perRow - 1) - 8) / perRow, MAX_MAP_PX), 60);
  }

  cellSide(side, rows, cols) {
    return Math.max(Math.floor(side / Math.max(rows, cols)), 1);
  }

  // The cell sides of the input maps ([rows, cols] each) and the output maps, all maps sharing the rows.
  cellSides(width, [inRows, inCols], [outRows, outCols]) {
    const mapPx = this.mapSide(width, this.g.in_channels + this.g.out_channels);
    return [this.cellSide(mapPx, inRows, inCols), this.cellSide(mapPx, outRows, outCols)];
  }

  // One map per channel in `box`, rows × cols cells of `cell` px: channel c's plane of the flat array `values`
  // (or `values(c)` where it is a function), titled `title(c)`, then `setUp(map, c)` (hover, clicks, decorations).
  channelMaps(box, { channels, rows, cols, cell, values, colour, digits, title = () => "", setUp }) {
    const plane = rows * cols;
    const maps = [];
    for (let c = 0; c < channels; c += 1) {
      const shown = typeof values === "function" ? values(c) : values.subarray(c * plane, (c + 1) * plane);
      const map = new MapView(box, title(c), rows, cols, cell, shown, colour, this.data.numbers_in_maps, digits);
      setUp(map, c);
      maps.push(map);
    }
    return maps;
  }

  // The step panel's arithmetic: `count` rows, each a heading and a line that `fillLine(line)` fills (returning
  // its tables, as the kind's draw reads them), then the total.
  arithmeticRows(count, fillLine) {
    this.arithBox.replaceChildren();
    this.rowsOfChannels = [];
    for (let k = 0; k < count; k += 1) {
      const row = element("div", "vz-arow", this.arithBox);
      const head = element("div", "vz-ahead", row);
      const line = element("div", "vz-aline", row);
      this.rowsOfChannels.push({ head, tables: fillLine(line) });
    }
    this.arithmeticTotal();
  }

  // Below the rows: the total's caption and its line.
  arithmeticTotal() {
    this.total = element("div", "vz-total", this.arithBox);
    this.totalLabel = element("div", "vz-tcap", this.total);
    this.totalLine = element("div", "vz-tline", this.total);
  }

  // An output map: named by its channel (for the page and the tests), and a click there steps to that cell.
  jumpingOutput(map, channel, width) {
    map.canvas.dataset.channel = String(channel);
    this.jumpOnClick(map, channel, width);
  }

  // Hover and click on the maps show what a cell is linked to (kind's `links`); a click pins it.
  watch(map, index) {
    map.canvas.addEventListener("mousemove", (event) => this.hover(index, map.cellAt(event), false));
    map.canvas.addEventListener("mouseleave", () => this.hover(index, null, false));
    map.canvas.addEventListener("click", (event) => this.hover(index, map.cellAt(event), true));
  }

  // An output map's cell clicked: the step there (in `channel`).
  jumpOnClick(map, channel, width) {
    map.canvas.addEventListener("click", (event) => {
      const cell = map.cellAt(event);
      if (!cell) return;
      this.stop(false);
      this.channel = channel;
      this.position = cell[0] * width + cell[1];
      this.render(true);
      this.send(true);
    });
  }

  // A colour bar for the inputs and one for the outputs: the scale, its ends written (and 0 where it is signed).
  colourBars(inputColour, outputColour) {
    const c = this.data.colours;
    this.barsBox.replaceChildren();
    const bars = [
      ["input_scale", inputColour, c.input_range],
      ["output_scale", outputColour, c.output_range],
    ];
    const shared = JSON.stringify([c.input_scale, c.input_range]) === JSON.stringify([c.output_scale, c.output_range]);
    if (shared) bars.splice(0, 2, ["values_scale", outputColour, c.output_range]); // one scale for both: one bar
    for (const [name, colourOf, [low, high]] of bars) {
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

  render(announce) {
    if (!this.data) return;
    this.scrub.value = String(this.position);
    this.channelBox.value = String(this.channel);
    this.playButton.textContent = this.playing ? this.text.pause : this.text.play;
    this.root.dataset.position = String(this.position);
    this.root.dataset.channel = String(this.channel);
    this.root.dataset.playing = this.playing ? "1" : "0";
    this.draw(announce || !this.playing);
  }

  hover(index, cell, click) {
    if (click) {
      const p = this.pinned;
      const same = p && this.locked && cell && p[0] === index && p[1] === cell[0] && p[2] === cell[1];
      this.locked = !!cell && !same;
      this.pinned = this.locked ? [index, cell[0], cell[1]] : null;
    } else if (!this.locked) {
      this.pinned = cell ? [index, cell[0], cell[1]] : null;
    } else {
      return;
    }
    const found = this.pinned ? this.links() : null;
    if (found) {
      this.reverseNote.textContent = found.note;
      this.root.dataset.readers = [...found.positions].sort((a, b) => a - b).join(",");
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

  // A map's or a table's title: the page's own name for channel `index` where the data gives one
  // (data.names[key], e.g. the backward pass naming each map of its weight gradient), else the text's template.
  nameOf(key, index, values) {
    const own = this.data.names && this.data.names[key];
    return own && own[index] !== undefined ? own[index] : fill(this.text[key], values);
  }
}

// Convolution and pooling: a window slides over the padded input; one step per output position.
class SlidingAnimator extends Animator {
  prepare(data) {
    const g = this.g;
    this.positions = g.out_height * g.out_width;
    this.channels = g.out_channels;
    this.pool = data.kind === "pool" ? g.pool : null; // "max" or "avg" for pooling, null for a convolution
  }

  names() {
    return { ...super.names(), label: this.pool ? "label_pool" : "label" };
  }

  legend() {
    let legend = this.pool ? `${this.text.legend} ${this.text[`legend_${this.pool}`]}` : this.text.legend;
    if (this.g.inserted_rows) legend = `${legend} ${this.text.legend_inserted}`;
    if (!this.data.numbers_in_maps) legend = `${legend} ${this.pool ? this.text.magnified_pool : this.text.magnified}`;
    return legend;
  }

  layoutMaps(width) {
    const g = this.g;
    const [hp, wp] = [g.padded_height, g.padded_width];
    const [cellIn, cellOut] = this.cellSides(width, [hp, wp], [g.out_height, g.out_width]);
    this.inputMaps = this.channelMaps(this.inputsBox, {
      channels: g.in_channels, rows: hp, cols: wp, cell: cellIn, values: this.padded,
      colour: this.inputColour, digits: this.mapDigits,
      setUp: (map, ic) => {
        map.decorate((m, ctx) => this.decorateInput(m, ctx));
        this.watch(map, ic);
      },
    });
    this.outputMaps = this.channelMaps(this.outputsBox, {
      channels: g.out_channels, rows: g.out_height, cols: g.out_width, cell: cellOut, values: this.output,
      colour: this.outputColour, digits: this.mapDigits, title: (oc) => this.nameOf("output", oc, { c: oc }),
      setUp: (map, oc) => this.jumpingOutput(map, oc, g.out_width),
    });
  }

  // Padding tint, the original input's outline, inserted zeros (the equivalent of a transposed convolution)
  // and the unread cells: drawn once on the map's base.
  decorateInput(map, ctx) {
    const g = this.g;
    const c = this.data.colours;
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
    if (g.inserted_rows) {
      // an inserted 0: a dotted ring inside the cell (the transposed convolution's stride, made visible)
      ctx.strokeStyle = c.boundary;
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 2]);
      for (let y = 0; y < map.rows; y += 1) {
        for (let x = 0; x < map.cols; x += 1) {
          const inside = y >= top && y < top + g.height && x >= left && x < left + g.width;
          if (!inside || !(g.inserted_rows[y] || g.inserted_cols[x])) continue;
          const inset = Math.min(3, cell / 5);
          ctx.strokeRect(x * cell + inset, y * cell + inset, cell - 2 * inset, cell - 2 * inset);
        }
      }
      ctx.setLineDash([]);
    }
    ctx.strokeStyle = c.unread;
    ctx.lineWidth = Math.max(1, cell / 10);
    for (let y = 0; y < map.rows; y += 1) {
      for (let x = 0; x < map.cols; x += 1) {
        if (!(g.rows_read[y] && g.cols_read[x])) cross(ctx, cell, y, x);
      }
    }
  }

  // One row per input channel of the kernel's group: window ⊙ kernel = products → sum.
  buildArithmetic() {
    const [kh, kw] = this.g.kernel;
    const parts = this.pool ? [[2, ""]] : [[0, "⊙"], [1, "="], [2, ""]]; // pooling: the window, then its value
    this.arithmeticRows(this.g.per_group, (line) => {
      const tables = [];
      for (const [index, sign] of parts) {
        tables.push(numberTable(line, kh, kw));
        if (sign) element("div", "vz-op", line, sign);
        if (index === 2) tables.push(element("div", "vz-sum", line));
      }
      return tables;
    });
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

  draw(announce) {
    const g = this.g;
    const c = this.data.colours;
    const s = this.stepAt(this.position, this.channel);
    const group = new Set(s.channels.map((ch) => ch.ic));
    this.where.textContent = fill(this.text.where, {
      oc: s.oc,
      oy: s.oy,
      ox: s.ox,
      p: this.position,
      last: this.positions - 1,
    });

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
    const readers = this.pinned ? this.links() : null;
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
      this.drawPool(s, announce);
      return;
    }
    // the arithmetic
    const digits = this.digits;
    s.channels.forEach((ch, k) => {
      const row = this.rowsOfChannels[k];
      row.head.textContent = fill(this.text.input, { c: ch.ic });
      const [windowTable, kernelTable, productTable, sum] = row.tables;
      windowTable.caption.textContent = this.text.window;
      kernelTable.caption.textContent = this.nameOf("kernel", s.oc, { oc: s.oc, c: ch.ic });
      productTable.caption.textContent = this.text.products;
      const [top, , left] = g.pads;
      ch.window.forEach((v, n) => {
        const td = windowTable.cells[n];
        td.textContent = formatNumber(v, digits);
        const y = s.rows[Math.floor(n / g.kernel[1])];
        const x = s.cols[n % g.kernel[1]];
        const pad = y < top || y >= top + g.height || x < left || x >= left + g.width;
        td.classList.toggle("vz-pad", pad);
        td.classList.toggle("vz-ins", !pad && !!g.inserted_rows && (g.inserted_rows[y] || g.inserted_cols[x]));
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
    if (announce) {
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
  drawPool(s, announce) {
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
    if (announce) {
      const terms = this.pool === "max" ? this.text.pool_max : fill(this.text.twin_avg, { s: formatNumber(ch.sum, 3), n: ch.count });
      this.twin.textContent = fill(this.text.twin, { oc: s.oc, oy: s.oy, ox: s.ox, terms, value });
    }
  }

  // The output positions that read the input cell under the mouse (or the pinned one): ezyang's reverse view.
  links() {
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
    const key = positions.size ? this.text.reverse : this.text.reverse_none;
    return { positions, channels, note: fill(key, { y, x, n: positions.size }) };
  }
}

// Transposed convolution, the scatter view: one step per input position (row-major). Every input value writes
// value × kernel onto the uncropped canvas of its group's output channels; the canvas accumulates the partial
// sums (computed here), padding crops it to the output, and the bias is added once every value has written.
class ScatterAnimator extends Animator {
  prepare() {
    const g = this.g;
    this.positions = g.height * g.width;
    this.channels = g.in_channels;
    this.perGroupIn = g.in_channels / g.groups;
    this.canvasSize = g.canvas_height * g.canvas_width;
    this.sums = new Float64Array(g.out_channels * this.canvasSize); // the canvas after input positions 0..summed
    this.summed = -1;
    // the input position that first writes each canvas cell (-1: none ever does)
    this.first = new Int32Array(this.canvasSize).fill(-1);
    for (let p = this.positions - 1; p >= 0; p -= 1) {
      const { rows, cols } = this.stampAt(p);
      for (const r of rows) for (const col of cols) this.first[r * g.canvas_width + col] = p;
    }
  }

  names() {
    return { label: "label_scatter", scrub: "scrub_input", channel: "channel_in" };
  }

  legend() {
    const legend = this.text.legend_scatter;
    return this.data.numbers_in_maps ? legend : `${legend} ${this.text.magnified_scatter}`;
  }

  // The canvas rows and columns the kernel lands on for input position p.
  stampAt(p) {
    const g = this.g;
    const iy = Math.floor(p / g.width);
    const ix = p % g.width;
    const rows = Array.from({ length: g.kernel[0] }, (_, k) => iy * g.stride[0] + k * g.dilation[0]);
    const cols = Array.from({ length: g.kernel[1] }, (_, k) => ix * g.stride[1] + k * g.dilation[1]);
    return { iy, ix, rows, cols };
  }

  outputsOf(ic) {
    const group = Math.floor(ic / this.perGroupIn);
    return Array.from({ length: this.g.per_group_out }, (_, j) => group * this.g.per_group_out + j);
  }

  weightAt(ic, j, ky, kx) {
    const [kh, kw] = this.g.kernel;
    return this.weight[((ic * this.g.per_group_out + j) * kh + ky) * kw + kx];
  }

  // The running sums after input positions 0..p (kept, so playing forward adds one stamp a frame).
  canvasAfter(p) {
    const g = this.g;
    if (p < this.summed) {
      this.sums.fill(0);
      this.summed = -1;
    }
    const [kh, kw] = g.kernel;
    while (this.summed < p) {
      this.summed += 1;
      const { iy, ix, rows, cols } = this.stampAt(this.summed);
      for (let ic = 0; ic < g.in_channels; ic += 1) {
        const v = this.input[(ic * g.height + iy) * g.width + ix];
        this.outputsOf(ic).forEach((oc, j) => {
          for (let ky = 0; ky < kh; ky += 1) {
            for (let kx = 0; kx < kw; kx += 1) {
              this.sums[oc * this.canvasSize + rows[ky] * g.canvas_width + cols[kx]] += Math.fround(v * this.weightAt(ic, j, ky, kx));
            }
          }
        });
      }
    }
    return this.sums;
  }

  inside(r, col) {
    const g = this.g;
    const [ph, pw] = g.padding;
    return r >= ph && r < ph + g.out_height && col >= pw && col < pw + g.out_width;
  }

  // The canvas of output channel oc as shown after step p: the running sums, and at the last step the
  // finished output inside the crop (torch's values, bias included).
  shown(oc, p) {
    const g = this.g;
    const sums = this.canvasAfter(p).subarray(oc * this.canvasSize, (oc + 1) * this.canvasSize);
    if (p < this.positions - 1) return sums;
    const values = Float64Array.from(sums);
    const [ph, pw] = g.padding;
    const plane = g.out_height * g.out_width;
    for (let y = 0; y < g.out_height; y += 1) {
      for (let x = 0; x < g.out_width; x += 1) {
        values[(y + ph) * g.canvas_width + x + pw] = this.output[oc * plane + y * g.out_width + x];
      }
    }
    return values;
  }

  layoutMaps(width) {
    const g = this.g;
    const [cellIn, cellOut] = this.cellSides(width, [g.height, g.width], [g.canvas_height, g.canvas_width]);
    this.inputMaps = this.channelMaps(this.inputsBox, {
      channels: g.in_channels, rows: g.height, cols: g.width, cell: cellIn, values: this.input,
      colour: this.inputColour, digits: this.mapDigits, title: (ic) => fill(this.text.input, { c: ic }),
      setUp: (map, ic) => this.jumpOnClick(map, ic, g.width), // the input is what steps here: a click goes there
    });
    this.painted = -2;
    this.outputMaps = this.channelMaps(this.outputsBox, {
      channels: g.out_channels, rows: g.canvas_height, cols: g.canvas_width, cell: cellOut,
      values: (oc) => this.shown(oc, this.position), colour: this.outputColour, digits: 3,
      title: (oc) => fill(this.text.output, { c: oc }),
      setUp: (map, oc) => {
        map.canvas.dataset.channel = String(oc);
        map.decorate((m, ctx) => this.decorateCanvas(m, ctx));
        this.watch(map, oc);
      },
    });
  }

  // The rows and columns padding crops (tinted), the output outlined, the cells no input value writes (✕).
  decorateCanvas(map, ctx) {
    const g = this.g;
    const c = this.data.colours;
    const cell = map.cell;
    ctx.fillStyle = c.padding;
    for (let r = 0; r < map.rows; r += 1) {
      for (let col = 0; col < map.cols; col += 1) if (!this.inside(r, col)) ctx.fillRect(col * cell, r * cell, cell, cell);
    }
    const [ph, pw] = g.padding;
    if (ph > 0 || pw > 0 || g.output_padding.some((v) => v > 0)) {
      ctx.strokeStyle = c.boundary;
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 3]);
      ctx.strokeRect(pw * cell, ph * cell, g.out_width * cell, g.out_height * cell);
      ctx.setLineDash([]);
    }
    ctx.strokeStyle = c.unread;
    ctx.lineWidth = Math.max(1, cell / 10);
    for (let r = 0; r < map.rows; r += 1) {
      for (let col = 0; col < map.cols; col += 1) if (this.first[r * g.canvas_width + col] < 0) cross(ctx, cell, r, col);
    }
  }

  // One row per output channel of the input channel's group: value × kernel = what it writes → the sums there.
  buildArithmetic() {
    const [kh, kw] = this.g.kernel;
    this.arithmeticRows(this.g.per_group_out, (line) => {
      const value = numberTable(line, 1, 1);
      element("div", "vz-op", line, "×");
      const kernel = numberTable(line, kh, kw);
      element("div", "vz-op", line, "=");
      const contribution = numberTable(line, kh, kw);
      element("div", "vz-op", line, "→");
      const sums = numberTable(line, kh, kw);
      return [value, kernel, contribution, sums];
    });
  }

  // Everything about input position p of channel ic: what it writes, where, and the sums there after it.
  stepAt(p, ic) {
    const g = this.g;
    const [kh, kw] = g.kernel;
    const { iy, ix, rows, cols } = this.stampAt(p);
    const value = this.input[(ic * g.height + iy) * g.width + ix];
    const sums = this.canvasAfter(p);
    const outputs = this.outputsOf(ic).map((oc, j) => {
      const kernel = [];
      const products = [];
      const after = [];
      for (let ky = 0; ky < kh; ky += 1) {
        for (let kx = 0; kx < kw; kx += 1) {
          const w = this.weightAt(ic, j, ky, kx);
          kernel.push(w);
          products.push(Math.fround(value * w));
          after.push(sums[oc * this.canvasSize + rows[ky] * g.canvas_width + cols[kx]]);
        }
      }
      return { oc, kernel, products, after };
    });
    return { ic, iy, ix, value, rows, cols, outputs };
  }

  draw(announce) {
    const g = this.g;
    const c = this.data.colours;
    const p = this.position;
    const s = this.stepAt(p, this.channel);
    const [ph, pw] = g.padding;
    const last = p === this.positions - 1;
    this.where.textContent = fill(this.text.where_scatter, { ic: s.ic, iy: s.iy, ix: s.ix, p, last: this.positions - 1 });

    // the value being used on its channel; the same position on the others (they write at the same time)
    const gathered = this.pinned ? this.links() : null;
    this.inputMaps.forEach((map, ic) => {
      const ctx = map.begin();
      const cell = map.cell;
      ctx.fillStyle = c.cover; // values not used yet
      ctx.globalAlpha = 0.5;
      ctx.fillRect((s.ix + 1) * cell, s.iy * cell, (g.width - s.ix - 1) * cell, cell);
      ctx.fillRect(0, (s.iy + 1) * cell, g.width * cell, (g.height - s.iy - 1) * cell);
      ctx.globalAlpha = 1;
      if (gathered && gathered.channels.has(ic)) {
        for (const q of gathered.positions) outline(ctx, cell, Math.floor(q / g.width), q % g.width, c.reader, Math.max(1.5, Math.min(3, cell / 5)));
      }
      const width = ic === s.ic ? Math.max(2, Math.min(3, cell / 3)) : 1.5;
      outline(ctx, cell, s.iy, s.ix, c.cursor, width);
      map.figure.classList.toggle("vz-current", ic === s.ic);
    });

    // the canvases: running sums (repainted when the step changes), not-yet-written cells covered, the stamp
    const mine = new Set(s.outputs.map((o) => o.oc));
    this.outputMaps.forEach((map, oc) => {
      if (this.painted !== p) map.paint(this.shown(oc, p), this.outputColour);
      const ctx = map.begin();
      const cell = map.cell;
      ctx.fillStyle = c.cover;
      for (let r = 0; r < g.canvas_height; r += 1) {
        for (let col = 0; col < g.canvas_width; col += 1) {
          if (this.first[r * g.canvas_width + col] > p) ctx.fillRect(col * cell, r * cell, cell, cell);
        }
      }
      const inGroup = mine.has(oc);
      map.figure.classList.toggle("vz-dim", !inGroup);
      map.caption.textContent = fill(inGroup ? this.text.output : this.text.output_other, { c: oc });
      if (inGroup) {
        if (cell < 6) ring(ctx, cell, s.rows, s.cols, c.window);
        else for (const r of s.rows) for (const col of s.cols) outline(ctx, cell, r, col, c.window, Math.max(2, Math.min(3, cell / 4)));
      }
      if (this.pinned && this.pinned[0] === oc) outline(ctx, cell, this.pinned[1], this.pinned[2], c.reader, 2);
    });
    this.painted = p;

    // the arithmetic: value × kernel = what it writes → the sums under the stamp after this step
    const [, kw] = g.kernel;
    s.outputs.forEach((o, j) => {
      const row = this.rowsOfChannels[j];
      row.head.textContent = fill(this.text.onto, { oc: o.oc });
      const [valueTable, kernelTable, contributionTable, sumsTable] = row.tables;
      valueTable.caption.textContent = fill(this.text.value_at, { c: s.ic, y: s.iy, x: s.ix });
      valueTable.cells[0].textContent = formatNumber(s.value, this.digits);
      kernelTable.caption.textContent = fill(this.text.kernel_scatter, { c: s.ic, oc: o.oc });
      contributionTable.caption.textContent = this.text.writes;
      sumsTable.caption.textContent = this.text.sums_after;
      o.kernel.forEach((v, n) => (kernelTable.cells[n].textContent = formatNumber(v, 3)));
      o.products.forEach((v, n) => {
        const td = contributionTable.cells[n];
        td.textContent = formatNumber(v, 3);
        td.classList.toggle("vz-pad", !this.inside(s.rows[Math.floor(n / kw)], s.cols[n % kw]));
      });
      o.after.forEach((v, n) => {
        const td = sumsTable.cells[n];
        td.textContent = formatNumber(v, 3);
        td.classList.toggle("vz-pad", !this.inside(s.rows[Math.floor(n / kw)], s.cols[n % kw]));
      });
    });
    let kept = 0;
    for (const r of s.rows) for (const col of s.cols) if (this.inside(r, col)) kept += 1;
    const outRows = s.rows.filter((r) => r >= ph && r < ph + g.out_height).map((r) => r - ph);
    const outCols = s.cols.filter((col) => col >= pw && col < pw + g.out_width).map((col) => col - pw);
    const taps = s.rows.length * s.cols.length;
    const numbers = {
      rows: outRows.length ? span(outRows) : "–",
      cols: outCols.length ? span(outCols) : "–",
      kept,
      taps,
    };
    this.totalLabel.textContent = this.text.lands;
    let line = fill(kept === taps ? this.text.lands_all : this.text.lands_cropped, numbers);
    if (last) {
      const biases = s.outputs.map((o) => `${o.oc}: ${formatNumber(this.bias ? this.bias[o.oc] : 0, 3)}`);
      line = `${line} ${fill(this.bias ? this.text.scatter_bias : this.text.scatter_done, { biases: biases.join(", ") })}`;
    }
    this.totalLine.textContent = line;
    this.totalLine.dataset.kept = String(kept);
    if (announce) {
      this.twin.textContent = fill(this.text.twin_scatter, {
        ic: s.ic,
        iy: s.iy,
        ix: s.ix,
        value: formatNumber(s.value, 3),
        outputs: s.outputs.map((o) => o.oc).join(", "),
        where: line,
      });
    }
  }

  // The input positions that write to the canvas cell under the mouse (or the pinned one): the gather view.
  links() {
    const [oc, r, col] = this.pinned;
    const g = this.g;
    const positions = new Set();
    for (let p = 0; p < this.positions; p += 1) {
      const { rows, cols } = this.stampAt(p);
      if (rows.includes(r) && cols.includes(col)) positions.add(p);
    }
    const group = Math.floor(oc / g.per_group_out);
    const channels = new Set(Array.from({ length: this.perGroupIn }, (_, k) => group * this.perGroupIn + k));
    const [ph, pw] = g.padding;
    const key = !this.inside(r, col) ? this.text.gather_cropped : positions.size ? this.text.gather : this.text.gather_none;
    return { positions, channels, note: fill(key, { y: r - ph, x: col - pw, n: positions.size, oc }) };
  }
}

// Upsampling: one step per output cell (row-major), made from the input cells its taps read, each weighted
// by its row's weight × its column's weight (the taps and weights of every row and column come with the data).
class UpsampleAnimator extends Animator {
  prepare() {
    const g = this.g;
    this.positions = g.out_height * g.out_width;
    this.channels = g.out_channels;
  }

  names() {
    return { ...super.names(), label: "label_upsample", scrub: "scrub_output" };
  }

  legend() {
    const legend = `${this.text.legend_upsample} ${this.text[`legend_upsample_${this.g.mode}`]}`;
    return this.data.numbers_in_maps ? legend : `${legend} ${this.text.magnified_upsample}`;
  }

  layoutMaps(width) {
    const g = this.g;
    const mapPx = this.mapSide(width, 2 * g.in_channels);
    const cell = this.cellSide(mapPx, g.out_height, g.out_width); // one scale: the output is `scale` times larger
    this.inputMaps = this.channelMaps(this.inputsBox, {
      channels: g.in_channels, rows: g.height, cols: g.width, cell: cell * g.scale, values: this.input,
      colour: this.inputColour, digits: 2, title: (c) => fill(this.text.input, { c }),
      setUp: (map, c) => this.watch(map, c),
    });
    this.outputMaps = this.channelMaps(this.outputsBox, {
      channels: g.in_channels, rows: g.out_height, cols: g.out_width, cell, values: this.output,
      colour: this.outputColour, digits: 2, title: (c) => fill(this.text.output, { c }),
      setUp: (map, c) => this.jumpingOutput(map, c, g.out_width),
    });
  }

  buildArithmetic() {
    this.arithBox.replaceChildren();
    const row = element("div", "vz-arow", this.arithBox);
    this.head = element("div", "vz-ahead", row);
    this.line = element("div", "vz-aline", row);
    this.tables = null; // built per step: a mode's tap count is fixed, but a row's may repeat a clamped index
    this.arithmeticTotal();
  }

  stepAt(p, c) {
    const g = this.g;
    const oy = Math.floor(p / g.out_width);
    const ox = p % g.out_width;
    const rowTaps = g.row_taps[oy];
    const colTaps = g.col_taps[ox];
    const values = [];
    const weights = [];
    const products = [];
    let sum = 0;
    rowTaps.taps.forEach((y, i) => {
      colTaps.taps.forEach((x, j) => {
        const v = this.input[(c * g.height + y) * g.width + x];
        const w = rowTaps.weights[i] * colTaps.weights[j];
        values.push(v);
        weights.push(w);
        products.push(v * w);
        sum += v * w;
      });
    });
    const value = this.output[(c * g.out_height + oy) * g.out_width + ox];
    return { c, oy, ox, rowTaps, colTaps, values, weights, products, sum, value };
  }

  draw(announce) {
    const g = this.g;
    const colours = this.data.colours;
    const s = this.stepAt(this.position, this.channel);
    this.where.textContent = fill(this.text.where_upsample, {
      oy: s.oy,
      ox: s.ox,
      p: this.position,
      last: this.positions - 1,
    });
    const readers = this.pinned ? this.links() : null;
    this.inputMaps.forEach((map, c) => {
      const ctx = map.begin();
      if (c === s.c) {
        const seen = new Set();
        s.rowTaps.taps.forEach((y, i) => {
          s.colTaps.taps.forEach((x, j) => {
            const key = y * g.width + x;
            if (seen.has(key) || s.rowTaps.weights[i] * s.colTaps.weights[j] === 0) return;
            seen.add(key);
            outline(ctx, map.cell, y, x, colours.window, Math.max(2, Math.min(3, map.cell / 8)));
          });
        });
        dot(ctx, map.cell, s.rowTaps.source, s.colTaps.source, colours.cursor); // where the output cell maps to
      }
      if (this.pinned && this.pinned[0] === c) outline(ctx, map.cell, this.pinned[1], this.pinned[2], colours.reader, 2);
    });
    this.outputMaps.forEach((map, c) => {
      const ctx = map.begin();
      const cell = map.cell;
      ctx.fillStyle = colours.cover;
      ctx.fillRect((s.ox + 1) * cell, s.oy * cell, (g.out_width - s.ox - 1) * cell, cell);
      ctx.fillRect(0, (s.oy + 1) * cell, g.out_width * cell, (g.out_height - s.oy - 1) * cell);
      if (readers && readers.channels.has(c)) {
        for (const q of readers.positions) outline(ctx, cell, Math.floor(q / g.out_width), q % g.out_width, colours.reader, Math.max(1.5, Math.min(3, cell / 5)));
      }
      if (c === this.channel) outline(ctx, cell, s.oy, s.ox, colours.cursor, Math.max(2, Math.min(3, cell / 3)));
    });

    // the arithmetic: the values read ⊙ their weights (row weight × column weight) = products → Σ
    const rows = s.rowTaps.taps.length;
    const cols = s.colTaps.taps.length;
    if (!this.tables || this.tables.rows !== rows || this.tables.cols !== cols) {
      this.line.replaceChildren();
      const values = numberTable(this.line, rows, cols);
      element("div", "vz-op", this.line, "⊙");
      const weights = numberTable(this.line, rows, cols);
      element("div", "vz-op", this.line, "=");
      const products = numberTable(this.line, rows, cols);
      const sum = element("div", "vz-sum", this.line);
      this.tables = { rows, cols, values, weights, products, sum };
    }
    const t = this.tables;
    const source = (axis) => {
      const raw = formatNumber(axis.unclamped, 3);
      return axis.unclamped === axis.source ? raw : `${raw} → ${formatNumber(axis.source, 3)}`;
    };
    this.head.textContent = fill(this.text.up_source, {
      sy: source(s.rowTaps),
      sx: source(s.colTaps),
      rows: s.rowTaps.taps.join(", "),
      cols: s.colTaps.taps.join(", "),
      wy: s.rowTaps.weights.map((w) => formatNumber(w, 4)).join(", "),
      wx: s.colTaps.weights.map((w) => formatNumber(w, 4)).join(", "),
    });
    t.values.caption.textContent = fill(this.text.up_values, { rows: s.rowTaps.taps.join(","), cols: s.colTaps.taps.join(",") });
    t.weights.caption.textContent = this.text.up_weights;
    t.products.caption.textContent = this.text.products;
    s.values.forEach((v, n) => (t.values.cells[n].textContent = formatNumber(v, 3)));
    s.weights.forEach((v, n) => (t.weights.cells[n].textContent = formatNumber(v, 4)));
    s.products.forEach((v, n) => (t.products.cells[n].textContent = formatNumber(v, 3)));
    t.sum.textContent = `→ Σ = ${formatNumber(s.sum, 3)}`;
    t.sum.dataset.value = String(s.sum);
    this.totalLabel.textContent = this.text.total_upsample;
    this.totalLine.textContent = `Σ = ${formatNumber(s.value, 3)}`;
    this.totalLine.dataset.value = String(s.value);
    if (announce) {
      this.twin.textContent = fill(this.text.twin_upsample, {
        oy: s.oy,
        ox: s.ox,
        sy: source(s.rowTaps),
        sx: source(s.colTaps),
        n: s.values.length,
        value: formatNumber(s.value, 3),
      });
    }
  }

  // The output cells whose value the input cell under the mouse weighs in (its weight not 0).
  links() {
    const [c, y, x] = this.pinned;
    const g = this.g;
    const weightOn = (axis, index) => axis.taps.reduce((sum, tap, k) => sum + (tap === index ? axis.weights[k] : 0), 0);
    const rows = [];
    g.row_taps.forEach((axis, oy) => weightOn(axis, y) !== 0 && rows.push(oy));
    const cols = [];
    g.col_taps.forEach((axis, ox) => weightOn(axis, x) !== 0 && cols.push(ox));
    const positions = new Set();
    for (const oy of rows) for (const ox of cols) positions.add(oy * g.out_width + ox);
    return { positions, channels: new Set([c]), note: fill(this.text.reverse_upsample, { y, x, n: positions.size }) };
  }
}

const KINDS = { conv: SlidingAnimator, pool: SlidingAnimator, scatter: ScatterAnimator, upsample: UpsampleAnimator };

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let animator = INSTANCES.get(parentElement);
  const Kind = data ? KINDS[data.kind] || SlidingAnimator : null;
  if (animator && Kind && !(animator instanceof Kind)) {
    animator.destroy();
    animator = null;
  }
  if (!animator) {
    if (!Kind) return () => {};
    animator = new Kind(parentElement);
    INSTANCES.set(parentElement, animator);
  }
  if (data) animator.update(data, setStateValue);
  return () => {
    animator.destroy();
    INSTANCES.delete(parentElement);
  };
}
