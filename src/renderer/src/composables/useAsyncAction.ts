/**
 * The one try / refresh / error pattern of the stores and views: run an async action, keep its error text
 * (cleared when an action succeeds) and whether one is running.
 */
import { computed, ref } from 'vue'

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export function useAsyncAction() {
  const error = ref<string | null>(null)
  const pending = ref(0)
  const busy = computed(() => pending.value > 0)

  /** Run `action`; its value, or null when it threw (the message is in `error`, `onError` runs). */
  async function run<T>(action: () => Promise<T>, onError?: () => void): Promise<T | null> {
    pending.value++
    try {
      const value = await action()
      error.value = null
      return value
    } catch (e) {
      error.value = errorText(e)
      onError?.()
      return null
    } finally {
      pending.value--
    }
  }

  return { error, busy, run }
}
