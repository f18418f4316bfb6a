// vtk.js 37 ships no type declarations for these modules; only the parts the app uses are declared.
declare module '@kitware/vtk.js/Filters/General/ImageMarchingCubes' {
  import type { vtkPolyData } from '@kitware/vtk.js/Common/DataModel/PolyData'
  import type { vtkAlgorithm, vtkObject } from '@kitware/vtk.js/interfaces'

  export interface vtkImageMarchingCubes extends vtkObject, vtkAlgorithm {
    setContourValue(value: number): boolean
    setComputeNormals(on: boolean): boolean
    setMergePoints(on: boolean): boolean
    getOutputData(): vtkPolyData
  }
  const vtkImageMarchingCubes: {
    newInstance(initialValues?: {
      contourValue?: number
      computeNormals?: boolean
      mergePoints?: boolean
    }): vtkImageMarchingCubes
  }
  export default vtkImageMarchingCubes
}
