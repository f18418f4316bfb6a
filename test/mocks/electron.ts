// Replaced per test with vi.mock; this module only exists so that `import 'electron'` resolves in Node.
export {}
