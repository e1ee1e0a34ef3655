// SPDX-License-Identifier: MIT
// Mixing parts into a class: a large class's methods kept in modules by role, sharing its state.

/** Copies the methods of each class in `parts` onto `target`'s prototype (`this` is the target's instance). */
export function mixIn(target, ...parts) {
  for (const part of parts) {
    for (const name of Object.getOwnPropertyNames(part.prototype)) {
      if (name !== 'constructor') Object.defineProperty(target.prototype, name, Object.getOwnPropertyDescriptor(part.prototype, name));
    }
  }
}
