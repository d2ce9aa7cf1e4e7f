/** Test fixture shared by the classifier and image-eval tests. */
export /** Two classes of 12×12 one-channel images: bright left half vs bright bottom half, with noise. */
function toy(count: number, seed: number) {
  let a = seed;
  const rnd = () => (a = (a * 1103515245 + 12345) >>> 0) / 4294967296;
  const w = 12;
  const pixels = new Uint8Array(count * w * w);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const cls = n % 2;
    labels[n] = cls;
    for (let y = 0; y < w; y++)
      for (let x = 0; x < w; x++) {
        const on = cls === 0 ? x < w / 2 : y >= w / 2;
        pixels[n * w * w + y * w + x] = Math.min(255, Math.round((on ? 200 : 30) + 40 * rnd()));
      }
  }
  return { id: `toy${seed}`, width: w, height: w, channels: 1, count, pixels, labels, classes: ['left', 'bottom'] };
}
