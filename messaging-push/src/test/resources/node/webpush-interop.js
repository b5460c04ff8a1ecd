// Reads one JSON request on stdin, answers one JSON line on stdout. Run by WebPushNodeInteropTest
// with NODE_PATH pointing at a node_modules holding the web-push package (and its http_ece).
'use strict';
const crypto = require('crypto');
const webpush = require('web-push');
const ece = require('http_ece');

let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  let out;
  if (req.op === 'decrypt') {
    const receiver = crypto.createECDH('prime256v1');
    receiver.setPrivateKey(Buffer.from(req.uaPrivate, 'base64url'));
    const plain = ece.decrypt(Buffer.from(req.body, 'base64url'), {
      version: 'aes128gcm',
      privateKey: receiver,
      authSecret: Buffer.from(req.auth, 'base64url'),
    });
    out = { plaintext: plain.toString('utf8') };
  } else if (req.op === 'encrypt') {
    const e = webpush.encrypt(req.p256dh, req.auth, req.plaintext, 'aes128gcm');
    out = { body: Buffer.from(e.cipherText).toString('base64url') };
  } else if (req.op === 'vapid-keys') {
    out = webpush.generateVAPIDKeys();
  } else {
    throw new Error('unknown op ' + req.op);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
