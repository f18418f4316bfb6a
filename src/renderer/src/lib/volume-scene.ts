/**
 * The vtk.js scene of a label volume: one render window (one WebGL context) holding four renderers with
 * viewports — the 3D view (volume rendering, per-phase marching-cubes surfaces, orientation axes) on the
 * left and the three orthogonal slices stacked on the right. Plain class, never made reactive; `dispose()`
 * deletes every vtk object it created.
 */
import '@kitware/vtk.js/Rendering/Profiles/Volume'
import '@kitware/vtk.js/Rendering/Profiles/Geometry'
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray'
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData'
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction'
import vtkImageMarchingCubes from '@kitware/vtk.js/Filters/General/ImageMarchingCubes'
import vtkOrientationMarkerWidget from '@kitware/vtk.js/Interaction/Widgets/OrientationMarkerWidget'
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor'
import vtkAxesActor from '@kitware/vtk.js/Rendering/Core/AxesActor'
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction'
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper'
import { SlicingMode } from '@kitware/vtk.js/Rendering/Core/ImageMapper/Constants'
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice'
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper'
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer'
import vtkVolume from '@kitware/vtk.js/Rendering/Core/Volume'
import vtkVolumeMapper from '@kitware/vtk.js/Rendering/Core/VolumeMapper'
import vtkGenericRenderWindow from '@kitware/vtk.js/Rendering/Misc/GenericRenderWindow'
import { hexToRgb, type Shape3, type SliceAxis } from './phases'

export interface PhaseStyle {
  id: number
  color: string
  /** 0 hides the phase in the volume rendering. */
  opacity: number
}

export interface SceneVolume {
  labels: Uint8Array
  shape: Shape3
  spacing: [number, number, number]
  phases: PhaseStyle[]
}

export const SLICE_AXES: readonly SliceAxis[] = ['z', 'y', 'x']

const SLICING: Record<SliceAxis, SlicingMode> = { z: SlicingMode.K, y: SlicingMode.J, x: SlicingMode.I }
/** Main 3D view on the left 62 %, the three slices stacked on the right. */
const MAIN_VIEWPORT = [0, 0, 0.62, 1] as const
const SLICE_VIEWPORTS: Record<SliceAxis, readonly [number, number, number, number]> = {
  z: [0.625, 2 / 3 + 0.004, 1, 1],
  y: [0.625, 1 / 3 + 0.004, 1, 2 / 3 - 0.004],
  x: [0.625, 0, 1, 1 / 3 - 0.004],
}
const BACKGROUND: [number, number, number] = [0.07, 0.08, 0.1]
const SLICE_BACKGROUND: [number, number, number] = [0.1, 0.11, 0.14]

/** Step transfer functions: each label owns [l − 0.5, l + 0.49], so colours never blend between labels. */
function fillColors(ctf: ReturnType<typeof vtkColorTransferFunction.newInstance>, phases: PhaseStyle[]) {
  ctf.removeAllPoints()
  for (const p of phases) {
    const [r, g, b] = hexToRgb(p.color).map((c) => c / 255)
    ctf.addRGBPoint(p.id - 0.5, r, g, b)
    ctf.addRGBPoint(p.id + 0.49, r, g, b)
  }
}

function fillOpacity(pwf: ReturnType<typeof vtkPiecewiseFunction.newInstance>, phases: PhaseStyle[]) {
  pwf.removeAllPoints()
  for (const p of phases) {
    pwf.addPoint(p.id - 0.5, p.opacity)
    pwf.addPoint(p.id + 0.49, p.opacity)
  }
}

function imageOf(values: Uint8Array, shape: Shape3, spacing: [number, number, number]) {
  const [nz, ny, nx] = shape
  const image = vtkImageData.newInstance()
  // Dimensions through the setter: newInstance({dimensions}) leaves the extent empty.
  image.setDimensions([nx, ny, nz])
  image.setSpacing([spacing[2], spacing[1], spacing[0]])
  image.setOrigin([0, 0, 0])
  image.getPointData().setScalars(vtkDataArray.newInstance({ numberOfComponents: 1, values }))
  return image
}

interface SliceView {
  renderer: vtkRenderer
  mapper: ReturnType<typeof vtkImageMapper.newInstance>
  actor: ReturnType<typeof vtkImageSlice.newInstance>
}

interface Surface {
  mask: vtkImageData
  filter: ReturnType<typeof vtkImageMarchingCubes.newInstance>
  mapper: ReturnType<typeof vtkMapper.newInstance>
  actor: ReturnType<typeof vtkActor.newInstance>
}

export class VolumeScene {
  private readonly window = vtkGenericRenderWindow.newInstance({
    background: BACKGROUND,
    listenWindowResize: false,
  })
  private readonly main: vtkRenderer
  private readonly slices: Record<SliceAxis, SliceView>
  private readonly axesActor = vtkAxesActor.newInstance()
  private readonly orientation: ReturnType<typeof vtkOrientationMarkerWidget.newInstance>
  private readonly colors = vtkColorTransferFunction.newInstance()
  private readonly opacity = vtkPiecewiseFunction.newInstance()
  private readonly volumeMapper = vtkVolumeMapper.newInstance()
  private readonly volumeActor = vtkVolume.newInstance()
  private readonly surfaces = new Map<number, Surface>()
  private image: vtkImageData | null = null
  private data: SceneVolume | null = null
  private renderPending = false
  private disposed = false

  constructor(container: HTMLElement) {
    this.window.setContainer(container)
    this.main = this.window.getRenderer()
    this.main.setViewport(...MAIN_VIEWPORT)
    const renderWindow = this.window.getRenderWindow()
    const make = (axis: SliceAxis): SliceView => {
      const renderer = vtkRenderer.newInstance({ background: SLICE_BACKGROUND })
      renderer.setViewport(...SLICE_VIEWPORTS[axis])
      // Slices are looked at, not rotated: the interactor only drives the 3D view.
      renderer.setInteractive(false)
      renderWindow.addRenderer(renderer)
      const mapper = vtkImageMapper.newInstance()
      mapper.setSlicingMode(SLICING[axis])
      const actor = vtkImageSlice.newInstance()
      actor.setMapper(mapper)
      const prop = actor.getProperty()
      prop.setInterpolationTypeToNearest()
      prop.setUseLookupTableScalarRange(true)
      prop.setRGBTransferFunction(0, this.colors)
      renderer.addActor(actor)
      return { renderer, mapper, actor }
    }
    this.slices = { z: make('z'), y: make('y'), x: make('x') }

    this.volumeActor.setMapper(this.volumeMapper)
    const vp = this.volumeActor.getProperty()
    vp.setRGBTransferFunction(0, this.colors)
    vp.setScalarOpacity(0, this.opacity)
    vp.setInterpolationTypeToNearest()
    vp.setShade(true)
    vp.setAmbient(0.35)
    vp.setDiffuse(0.7)
    vp.setSpecular(0.15)
    this.volumeMapper.setMaximumSamplesPerRay(4000)
    this.main.addVolume(this.volumeActor)

    this.orientation = vtkOrientationMarkerWidget.newInstance({
      actor: this.axesActor,
      interactor: this.window.getInteractor(),
    })
    this.orientation.setParentRenderer(this.main)
    this.orientation.setViewportSize(0.18)
    this.orientation.setEnabled(true)
  }

  /** Match the drawing buffer to the container (device pixels) and redraw. */
  resize(): void {
    if (this.disposed) return
    this.window.resize()
    this.orientation.updateViewport()
    this.requestRender()
  }

  setVolume(volume: SceneVolume): void {
    this.clearSurfaces()
    this.image?.delete()
    this.data = volume
    this.image = imageOf(volume.labels, volume.shape, volume.spacing)
    fillColors(this.colors, volume.phases)
    fillOpacity(this.opacity, volume.phases)
    this.volumeMapper.setInputData(this.image)
    const minSpacing = Math.min(...volume.spacing)
    this.volumeMapper.setSampleDistance(0.7 * minSpacing)
    this.volumeActor.getProperty().setScalarOpacityUnitDistance(0, minSpacing)
    for (const axis of SLICE_AXES) {
      this.slices[axis].mapper.setInputData(this.image)
      this.setSlice(axis, this.middleSlice(axis))
    }
    this.resetCameras()
  }

  middleSlice(axis: SliceAxis): number {
    if (!this.data) return 0
    const [nz, ny, nx] = this.data.shape
    return Math.floor({ z: nz, y: ny, x: nx }[axis] / 2)
  }

  setSlice(axis: SliceAxis, index: number): void {
    this.slices[axis].mapper.setSlice(index)
    this.requestRender()
  }

  setPhaseOpacity(id: number, opacity: number): void {
    if (!this.data) return
    this.data.phases = this.data.phases.map((p) => (p.id === id ? { ...p, opacity } : p))
    fillOpacity(this.opacity, this.data.phases)
    this.requestRender()
  }

  setVolumeVisible(visible: boolean): void {
    this.volumeActor.setVisibility(visible)
    this.requestRender()
  }

  /** Show or hide the marching-cubes surface of one phase; extracted on first use, then cached. */
  setSurfaceVisible(id: number, visible: boolean): number {
    if (!this.data || !this.image) return 0
    let surface = this.surfaces.get(id)
    if (!surface && visible) {
      surface = this.extractSurface(id)
      this.surfaces.set(id, surface)
      this.main.addActor(surface.actor)
    }
    surface?.actor.setVisibility(visible)
    this.requestRender()
    return surface ? surface.filter.getOutputData().getNumberOfPolys() : 0
  }

  resetCameras(): void {
    const cam = this.main.getActiveCamera()
    cam.setPosition(1, -1.4, 0.9)
    cam.setFocalPoint(0, 0, 0)
    cam.setViewUp(0, 0, 1)
    this.main.resetCamera()
    this.main.resetCameraClippingRange()
    const along: Record<SliceAxis, { dir: [number, number, number]; up: [number, number, number] }> = {
      z: { dir: [0, 0, 1], up: [0, -1, 0] },
      y: { dir: [0, -1, 0], up: [0, 0, 1] },
      x: { dir: [1, 0, 0], up: [0, 0, 1] },
    }
    for (const axis of SLICE_AXES) {
      const { renderer } = this.slices[axis]
      const c = renderer.getActiveCamera()
      c.setParallelProjection(true)
      c.setFocalPoint(0, 0, 0)
      c.setPosition(...along[axis].dir)
      c.setViewUp(...along[axis].up)
      renderer.resetCamera()
      c.zoom(1.15)
    }
    this.requestRender()
  }

  /** The whole render window (3D view and slices) as a PNG data URL. */
  async screenshot(): Promise<string> {
    this.renderNow()
    const [image] = this.window.getRenderWindow().captureImages('image/png')
    return image
  }

  /** Coalesce render requests into one frame. */
  requestRender(): void {
    if (this.renderPending || this.disposed) return
    this.renderPending = true
    requestAnimationFrame(() => {
      this.renderPending = false
      this.renderNow()
    })
  }

  private renderNow(): void {
    // Nothing to draw before the first volume (the slice mappers would complain of no input).
    if (!this.disposed && this.image) this.window.getRenderWindow().render()
  }

  private extractSurface(id: number): Surface {
    const data = this.data as SceneVolume
    const mask = new Uint8Array(data.labels.length)
    for (let i = 0; i < mask.length; i++) mask[i] = data.labels[i] === id ? 1 : 0
    const maskImage = imageOf(mask, data.shape, data.spacing)
    const filter = vtkImageMarchingCubes.newInstance({
      contourValue: 0.5,
      computeNormals: true,
      mergePoints: true,
    })
    filter.setInputData(maskImage)
    const mapper = vtkMapper.newInstance()
    mapper.setInputConnection(filter.getOutputPort())
    const actor = vtkActor.newInstance()
    actor.setMapper(mapper)
    const phase = data.phases.find((p) => p.id === id)
    const [r, g, b] = hexToRgb(phase?.color ?? '#ffffff').map((c) => c / 255)
    actor.getProperty().setColor(r, g, b)
    return { mask: maskImage, filter, mapper, actor }
  }

  private clearSurfaces(): void {
    for (const s of this.surfaces.values()) {
      this.main.removeActor(s.actor)
      s.actor.delete()
      s.mapper.delete()
      s.filter.delete()
      s.mask.delete()
    }
    this.surfaces.clear()
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.clearSurfaces()
    this.orientation.setEnabled(false)
    this.orientation.delete()
    this.axesActor.delete()
    for (const axis of SLICE_AXES) {
      const s = this.slices[axis]
      s.actor.delete()
      s.mapper.delete()
      s.renderer.delete()
    }
    this.volumeActor.delete()
    this.volumeMapper.delete()
    this.colors.delete()
    this.opacity.delete()
    this.image?.delete()
    const interactor = this.window.getInteractor()
    // Unbinds the interactor's events from the container and releases the WebGL context.
    this.window.delete()
    interactor.delete()
  }
}
