/**
 * The string formats of the built-in schemas, as the API server reads them. `kubernetes-models`
 * checks each format with its own validator; where that validator refuses what the server
 * accepts, it is replaced here, once, before any object is validated.
 */
import { formats } from '@kubernetes-models/validate';

/**
 * Standard base64 with padding, as Go's `base64.StdEncoding` decodes a `[]byte` field: it skips
 * every `\r` and `\n` (kustomize folds the base64 of a binary file over several lines), and refuses
 * anything else outside the alphabet, spaces included.
 */
const paddedBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether `value` is what the API server decodes into a `[]byte` field. */
export function isKubernetesBytes(value: string): boolean {
  return paddedBase64.test(value.replace(/[\r\n]/g, ''));
}

let installed = false;

/** Makes the built-in schemas check `format: byte` as the API server does. Idempotent. */
export function useKubernetesFormats(): void {
  if (installed) return;
  installed = true;
  // The generated schema modules keep a reference to this object and read `validate` at each
  // check, so replacing the function reaches every schema, whenever it was loaded.
  const byte = formats.byte as { validate: (value: string) => boolean };
  byte.validate = isKubernetesBytes;
}
