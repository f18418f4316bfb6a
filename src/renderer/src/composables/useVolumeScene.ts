/**
 * Owns a VolumeScene for the lifetime of a component: created when the container mounts, resized with it,
 * disposed on unmount. The scene stays a plain object (shallowRef), never a reactive proxy.
 */
import { onBeforeUnmount, onMounted, shallowRef, type Ref } from 'vue'
import { VolumeScene } from '../lib/volume-scene'

export function useVolumeScene(container: Ref<HTMLElement | null>) {
  const scene = shallowRef<VolumeScene | null>(null)
  const error = shallowRef<string | null>(null)
  let observer: ResizeObserver | null = null

  onMounted(() => {
    if (!container.value) return
    try {
      const s = new VolumeScene(container.value)
      scene.value = s
      observer = new ResizeObserver(() => s.resize())
      observer.observe(container.value)
      s.resize()
    } catch (e) {
      error.value = `3D view unavailable: ${(e as Error).message}`
    }
  })

  onBeforeUnmount(() => {
    observer?.disconnect()
    observer = null
    scene.value?.dispose()
    scene.value = null
  })

  return { scene, error }
}
