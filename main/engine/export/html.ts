/**
 * Standalone HTML sampler: one folder that opens from disk (file://, no server, no network) with tfjs and the
 * model inside. The model is embedded in model.js (fetch() of file:// URLs is blocked in browsers); model.json +
 * weights.bin are included as well for use elsewhere. "New seed" draws a grid; interpolation walks between two seeds.
 */
import type { GenGraph } from './graph';
import type { Manifest } from './manifest';
import type { LayersArtifacts } from './tfjs';

/** The same xoshiro128** + Box–Muller as engine/trainer/rng.ts and images.ts's seededLatents, for the page. */
export const RNG_JS = `
function splitmix32(seed){let s=seed>>>0;return()=>{s=(s+0x9e3779b9)>>>0;let z=s;z=Math.imul(z^(z>>>16),0x85ebca6b)>>>0;z=Math.imul(z^(z>>>13),0xc2b2ae35)>>>0;return(z^(z>>>16))>>>0;};}
function rotl(x,k){return((x<<k)|(x>>>(32-k)))>>>0;}
function makeRng(seed){const s=new Uint32Array(4);const sm=splitmix32(seed);for(let i=0;i<4;i++)s[i]=sm();if((s[0]|s[1]|s[2]|s[3])===0)s[0]=1;
 const u32=()=>{const r=Math.imul(rotl(Math.imul(s[1],5)>>>0,7),9)>>>0;const t=(s[1]<<9)>>>0;s[2]^=s[0];s[3]^=s[1];s[1]^=s[2];s[0]^=s[3];s[2]^=t;s[3]=rotl(s[3],11);return r;};
 const next=()=>u32()/4294967296;
 return{next,normal(n){const o=new Float32Array(n);for(let i=0;i<n;i+=2){const u1=1-next(),u2=next(),r=Math.sqrt(-2*Math.log(u1));o[i]=r*Math.cos(2*Math.PI*u2);if(i+1<n)o[i+1]=r*Math.sin(2*Math.PI*u2);}return o;}};}
function deriveRng(seed,stream){return makeRng((Math.imul(seed^0x5bd1e995,0x27d4eb2d)^Math.imul(stream+1,0x165667b1))>>>0);}
function seededLatents(zdim,n,seed){return deriveRng(seed,7).normal(n*zdim);}
`;

const PAGE = (title: string, seed: number) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
 body{font:14px system-ui,sans-serif;margin:24px;background:#181a1f;color:#e6e6e6}
 button,input,select{font:inherit;margin-right:8px}
 canvas{image-rendering:pixelated;background:#282828;margin-top:8px}
 .row{margin:12px 0} #status{color:#aaa}
</style>
</head>
<body>
<h1>${title}</h1>
<p id="status">Loading model…</p>
<div class="row">Seed <input id="seed" type="number" value="${seed}" style="width:8em"> <button id="new">New seed</button>
 <span id="classBox" hidden>Class <select id="cls"></select></span></div>
<canvas id="grid"></canvas>
<h2>Interpolation</h2>
<div class="row">From seed <input id="seedA" type="number" value="1" style="width:6em"> to seed <input id="seedB" type="number" value="2" style="width:6em">
 <input id="t" type="range" min="0" max="1" step="0.01" value="0.5"> <button id="walk">Strip</button></div>
<canvas id="interp"></canvas>
<script src="tf.min.js"></script>
<script src="model.js"></script>
<script>
${RNG_JS}
const M = window.SNGAN_MODEL;
const info = M.manifest.generator;
const zdim = info.latent.size, classes = info.classes.length, image = info.output.resolution !== null;
const $ = (id) => document.getElementById(id);
function b64(s){const bin=atob(s);const u=new Uint8Array(bin.length);for(let i=0;i<bin.length;i++)u[i]=bin.charCodeAt(i);return u.buffer;}
let model;
function classInput(n){const c=new Float32Array(n*classes);const k=Number($('cls').value)||0;for(let i=0;i<n;i++)c[i*classes+k]=1;return tf.tensor(c,[n,classes]);}
function generate(z,n){return tf.tidy(()=>{const zt=tf.tensor(z,[n,zdim]);return model.predict(classes?[zt,classInput(n)]:zt);});}
async function drawImages(canvas,out,cols){
 const [n,h,w,c]=out.shape;const d=await out.data();const s=Math.max(1,Math.floor(96/h));const rows=Math.ceil(n/cols);
 canvas.width=cols*w*s;canvas.height=rows*h*s;const ctx=canvas.getContext('2d');const img=ctx.createImageData(w,h);
 const tmp=document.createElement('canvas');tmp.width=w;tmp.height=h;const tctx=tmp.getContext('2d');ctx.imageSmoothingEnabled=false;
 for(let i=0;i<n;i++){for(let p=0;p<h*w;p++){for(let k=0;k<3;k++)img.data[p*4+k]=Math.max(0,Math.min(255,Math.round((d[(i*h*w+p)*c+(c===1?0:k)]+1)*127.5)));img.data[p*4+3]=255;}
  tctx.putImageData(img,0,0);ctx.drawImage(tmp,(i%cols)*w*s,Math.floor(i/cols)*h*s,w*s,h*s);}
}
async function drawPoints(canvas,out){
 const d=await out.data();canvas.width=canvas.height=360;const ctx=canvas.getContext('2d');ctx.fillStyle='#282828';ctx.fillRect(0,0,360,360);
 let L=0;for(const v of d)L=Math.max(L,Math.abs(v));L=L*1.1||1;ctx.fillStyle='#e66e14';
 for(let i=0;i+1<d.length;i+=2)ctx.fillRect((d[i]+L)/(2*L)*359-1,(L-d[i+1])/(2*L)*359-1,3,3);
}
async function show(canvas,out,cols){if(image)await drawImages(canvas,out,cols);else await drawPoints(canvas,out);out.dispose();}
async function grid(){const seed=Number($('seed').value)||0;const n=image?16:1000;await show($('grid'),generate(seededLatents(zdim,n,seed),n),4);}
function mix(a,b,t){const o=new Float32Array(a.length);for(let i=0;i<a.length;i++)o[i]=a[i]*Math.cos(t*Math.PI/2)+b[i]*Math.sin(t*Math.PI/2);return o;}
async function interp(strip){
 const n=image?1:1000;const a=seededLatents(zdim,n,Number($('seedA').value)||0),b=seededLatents(zdim,n,Number($('seedB').value)||0);
 if(strip&&image){const k=8,z=new Float32Array(k*zdim);for(let i=0;i<k;i++)z.set(mix(a,b,i/(k-1)),i*zdim);await show($('interp'),generate(z,k),k);}
 else await show($('interp'),generate(mix(a,b,Number($('t').value)),n),1);
}
(async()=>{
 model=await tf.loadLayersModel(tf.io.fromMemory({modelTopology:M.modelJson.modelTopology,weightSpecs:M.modelJson.weightsManifest[0].weights,weightData:b64(M.weights)}));
 if(classes){$('classBox').hidden=false;info.classes.forEach((c,i)=>{const o=document.createElement('option');o.value=i;o.textContent=c;$('cls').appendChild(o);});}
 $('status').textContent=info.arch+' generator, step '+M.manifest.run.step+' — z ~ N(0, 1) of size '+zdim+(classes?', '+classes+' classes':'')+'; tfjs backend '+tf.getBackend()+'.';
 $('new').onclick=()=>{$('seed').value=Math.floor(Math.random()*1e6);grid();};
 $('seed').onchange=grid;$('cls').onchange=()=>{grid();interp(false);};
 $('t').oninput=()=>interp(false);$('walk').onclick=()=>interp(true);$('seedA').onchange=$('seedB').onchange=()=>interp(false);
 await grid();await interp(false);
})().catch((e)=>{$('status').textContent='Could not load the model: '+e.message;});
</script>
</body>
</html>
`;

/** The sampler folder's files; `tfjsBundle` is tfjs's dist/tf.min.js, which the page loads beside it. */
export function samplerFiles(g: GenGraph, art: LayersArtifacts, manifest: Manifest, seed: number, tfjsBundle: Uint8Array): Map<string, Uint8Array | string> {
  const files = new Map<string, Uint8Array | string>();
  files.set('index.html', PAGE(`SNGAN Studio sampler — ${g.arch}, step ${manifest.run.step}`, seed));
  files.set('tf.min.js', tfjsBundle);
  const embedded = { modelJson: art.modelJson, weights: Buffer.from(art.weights).toString('base64'), manifest };
  files.set('model.js', `window.SNGAN_MODEL = ${JSON.stringify(embedded)};\n`);
  files.set('model.json', JSON.stringify(art.modelJson, null, 2) + '\n');
  files.set('weights.bin', art.weights);
  return files;
}
