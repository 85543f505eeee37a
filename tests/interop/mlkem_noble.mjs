// The independent side of tests/interop/mlkem_noble.sh: @noble/post-quantum's
// ML-KEM-768 (pure JS, FIPS 203). Reads "CMD ARGS..." lines (hex) on stdin,
// prints hex: "keygen SEED64" -> pk, sk; "enc PK M32" -> ct, ss;
// "dec SK CT" -> ss.
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { createInterface } from 'node:readline';

const hex = (b) => Buffer.from(b).toString('hex');
const bin = (h) => new Uint8Array(Buffer.from(h, 'hex'));
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, a, b] = line.trim().split(' ');
  if (cmd === 'keygen') {
    const k = ml_kem768.keygen(bin(a));
    console.log(hex(k.publicKey));
    console.log(hex(k.secretKey));
  } else if (cmd === 'enc') {
    const e = ml_kem768.encapsulate(bin(a), bin(b));
    console.log(hex(e.cipherText));
    console.log(hex(e.sharedSecret));
  } else if (cmd === 'dec') {
    console.log(hex(ml_kem768.decapsulate(bin(b), bin(a))));
  }
}
