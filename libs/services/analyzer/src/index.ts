export { ANALYZER_REQUESTS_GROUP, ANALYZER_SIGNALS_GROUP, AnalyzerController } from './analyzer.controller';
export { AnalyzerModule } from './analyzer.module';
