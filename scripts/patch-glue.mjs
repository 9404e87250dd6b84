// Patches wasm-bindgen's JS glue (target/pkg/<name>.js) in place: `passStringToWasm0`, which
// copies every string argument into wasm memory, walks a string's ASCII characters in a JS loop
// (one `charCodeAt` and one typed-array store each). That is fine for the short strings of a
// call, but a 2 MB request (an image as a data: URL) spends 8-17 ms in it, and counting a 1 MB
// text pays it too, where `TextEncoder.encodeInto` does the same in ~0.4 ms. The patched
// function keeps the loop for strings of up to 64 characters and lets `encodeInto` write longer
// ones: as many characters as fit in one byte each first, then (when it stopped early, at a
// non-ASCII character) the rest into room for three bytes each, as the original does.
//
// The patch is the function's part after its first branch (`realloc === undefined`, which the glue
// never takes), from `let len` to its end.
//
// Usage: node scripts/patch-glue.mjs target/pkg/unillm.js ... ; exits 1 when that part is not
// the one this was written against (a new wasm-bindgen: review the patch).
import { readFileSync, writeFileSync } from 'node:fs';

const ORIGINAL = `    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}
`;

const PATCHED = `    // patched by scripts/patch-glue.mjs: long strings are written by encodeInto, not a JS loop
    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;
    let offset = 0;
    if (len <= 64) {
        const mem = getUint8ArrayMemory0();
        for (; offset < len; offset++) {
            const code = arg.charCodeAt(offset);
            if (code > 0x7F) break;
            mem[ptr + offset] = code;
        }
        if (offset === len) {
            WASM_VECTOR_LEN = len;
            return ptr;
        }
        arg = arg.slice(offset);
    } else {
        // whole characters only: \`read\` stops before one that does not fit
        const first = cachedTextEncoder.encodeInto(arg, getUint8ArrayMemory0().subarray(ptr, ptr + len));
        offset = first.written;
        if (first.read === len) {
            WASM_VECTOR_LEN = offset;
            return ptr;
        }
        arg = arg.slice(first.read);
    }
    ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
    const ret = cachedTextEncoder.encodeInto(arg, getUint8ArrayMemory0().subarray(ptr + offset, ptr + len));
    offset += ret.written;
    ptr = realloc(ptr, len, offset, 1) >>> 0;

    WASM_VECTOR_LEN = offset;
    return ptr;
}
`;

let failed = false;
for (const file of process.argv.slice(2)) {
  const src = readFileSync(file, 'utf8');
  if (src.includes(PATCHED)) continue;
  const n = src.split(ORIGINAL).length - 1;
  if (n !== 1) {
    console.error(`patch-glue: ${file}: passStringToWasm0 is not the one this patch was written against (found ${n}); review scripts/patch-glue.mjs`);
    failed = true;
    continue;
  }
  writeFileSync(file, src.replace(ORIGINAL, PATCHED));
}
process.exit(failed ? 1 : 0);
